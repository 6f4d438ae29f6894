"""The demo shop's category tree: leaves with their brands, goods, prices, seasons and complements.

Each leaf is a full category path (``Kitchen > Coffee > Beans``). Its *interest* is the path's
first two levels (``Kitchen > Coffee``): customers pick their favourite interests, and gifts are
bought in interests that are not theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "BOOK_WORDS_A",
    "BOOK_WORDS_B",
    "COMPLEMENTS",
    "LEAVES",
    "MODEL_WORDS",
    "SEASONS",
    "Leaf",
    "interest_of",
]


@dataclass(frozen=True)
class Leaf:
    """A leaf of the category tree and how its products behave."""

    path: str
    brands: tuple[str, ...]
    goods: tuple[str, ...]
    """Kinds of product sold here (for books: unused, titles are generated)."""
    median_price: float
    season: str = "none"
    """A key of :data:`SEASONS`."""
    share: float = 1.0
    """Relative weight of the leaf among the leaves of its interest."""
    consumable: bool = False
    """Bought again and again, sometimes several at once (beans, pet food, seeds)."""
    gift: float = 0.2
    """How suitable as a present (relative weight for gift lines)."""
    returns: float = 0.04
    """Share of lines sent back."""
    range_size: float = 1.0
    """Relative number of products in the leaf."""


def interest_of(path: str) -> str:
    """The first two levels of a category path.

    ``'Kitchen > Coffee > Beans'`` → ``'Kitchen > Coffee'``.
    """
    return " > ".join(path.split(" > ")[:2])


SEASONS: dict[str, npt.NDArray[np.float64]] = {
    "none": np.ones(12),
    "summer": np.array([0.3, 0.4, 0.9, 1.6, 2.1, 2.2, 1.9, 1.3, 0.8, 0.5, 0.3, 0.3]),
    "christmas": np.array([0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 1.1, 2.2, 3.2]),
    "advent": np.array([0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.2, 0.8, 3.5, 6.0]),
    "winter": np.array([1.2, 1.1, 1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.9, 1.1, 1.4, 1.8]),
}
"""Monthly multipliers (January first) of a leaf's share of purchases."""

_BOOK = ("novel",)
LEAVES: tuple[Leaf, ...] = (
    Leaf("Garden > Tools > Hand Tools", ("Fiskars", "Gardena", "Wolf-Garten", "Spear & Jackson"),
         ("Pruning Shears", "Garden Spade", "Hand Trowel", "Leaf Rake", "Hedge Shears",
          "Weeding Fork", "Loppers"), 24.0, "summer", gift=0.3),
    Leaf("Garden > Tools > Power Tools", ("Bosch", "Makita", "Stihl", "Einhell"),
         ("Cordless Hedge Trimmer", "Lawn Mower", "Grass Trimmer", "Leaf Blower",
          "Pressure Washer", "Chainsaw"), 149.0, "summer", share=0.5, returns=0.08),
    Leaf("Garden > Plants & Seeds", ("Kiepenkerl", "Sperli", "Suttons", "Thompson & Morgan"),
         ("Tomato Seeds", "Lavender Plant", "Herb Garden Set", "Tulip Bulbs", "Wildflower Mix",
          "Sunflower Seeds", "Strawberry Plants"), 6.0, "summer", share=1.5, consumable=True,
         returns=0.01),
    Leaf("Garden > Watering", ("Gardena", "Kärcher", "Hozelock"),
         ("Garden Hose 20 m", "Watering Can", "Oscillating Sprinkler", "Hose Reel",
          "Drip Irrigation Kit"), 29.0, "summer", share=0.8),
    Leaf("Garden > Furniture", ("Kettler", "Hartman", "Lafuma"),
         ("Folding Chair", "Garden Bench", "Sun Lounger", "Bistro Set", "Parasol"), 179.0,
         "summer", share=0.4, returns=0.1),
    Leaf("Books > Science Fiction", ("Heyne", "Tor", "Orbit", "Gollancz"), _BOOK, 14.0,
         gift=0.8, returns=0.02, range_size=2.5),
    Leaf("Books > Crime", ("Penguin", "Goldmann", "Fischer", "HarperCollins"), _BOOK, 13.0,
         gift=0.8, returns=0.02, range_size=2.5),
    Leaf("Books > Cookery", ("DK", "Gräfe und Unzer", "Phaidon", "Ebury"), _BOOK, 26.0,
         "winter", gift=0.9, returns=0.02, range_size=1.5),
    Leaf("Books > Children's Books", ("Carlsen", "Oetinger", "Puffin", "Usborne"), _BOOK, 12.0,
         "christmas", gift=1.3, returns=0.02, range_size=2.0),
    Leaf("Books > History", ("C.H.Beck", "Penguin", "Rowohlt", "Vintage"), _BOOK, 22.0,
         gift=0.6, returns=0.02, range_size=1.5),
    Leaf("Pets > Dog Care > Food", ("Royal Canin", "Pedigree", "Wolfsblut", "Lily's Kitchen"),
         ("Adult Dry Food 12 kg", "Wet Food 12-Pack", "Grain-Free Adult", "Puppy Food",
          "Senior Food", "Training Treats"), 34.0, share=2.0, consumable=True, gift=0.02,
         returns=0.01),
    Leaf("Pets > Dog Care > Toys & Accessories", ("Kong", "Trixie", "Hunter", "Ruffwear"),
         ("Chew Toy", "Leash", "Harness", "Dog Bed", "Ball Launcher", "Collar"), 19.0,
         gift=0.2, returns=0.06),
    Leaf("Pets > Cat Care > Food", ("Felix", "Animonda", "Whiskas", "Applaws"),
         ("Wet Food 24-Pack", "Dry Food 4 kg", "Kitten Food", "Cat Treats"), 24.0, share=2.0,
         consumable=True, gift=0.02, returns=0.01),
    Leaf("Pets > Cat Care > Litter & Accessories", ("Catsan", "Trixie", "Biokat's", "Ever Clean"),
         ("Clumping Litter 10 l", "Scratching Post", "Litter Tray", "Cat Bed", "Cat Flap"),
         17.0, share=1.2, consumable=True, gift=0.05),
    Leaf("Kitchen > Coffee > Machines", ("De'Longhi", "Jura", "Sage", "Melitta", "Siemens"),
         ("Espresso Machine", "Bean-to-Cup Machine", "Filter Coffee Maker", "Milk Frother"),
         349.0, share=0.25, gift=0.3, returns=0.07),
    Leaf("Kitchen > Coffee > Beans", ("Lavazza", "Dallmayr", "Tchibo", "Illy", "Union"),
         ("Espresso Beans 1 kg", "Crema Beans 1 kg", "Single Origin Ethiopia 500 g",
          "Decaf Beans 500 g", "Filter Roast 500 g"), 16.0, share=2.5, consumable=True,
         gift=0.1, returns=0.01),
    Leaf("Kitchen > Coffee > Accessories", ("Hario", "Bialetti", "Motta", "Wilfa"),
         ("Burr Grinder", "Milk Jug", "Tamper", "Descaler", "Coffee Scale",
          "Water Filter Cartridges"), 21.0, consumable=True, gift=0.3),
    Leaf("Kitchen > Cookware", ("WMF", "Fissler", "Le Creuset", "Tefal"),
         ("Frying Pan", "Cast Iron Casserole", "Saucepan Set", "Wok", "Chef's Knife"), 64.0,
         gift=0.6, returns=0.05),
    Leaf("Kitchen > Tea", ("Teekanne", "Twinings", "Ronnefeldt", "Yorkshire Tea"),
         ("English Breakfast 80 Bags", "Green Tea Sencha", "Earl Grey Loose Leaf",
          "Chai Spice", "Peppermint Infusion"), 6.0, "winter", share=1.5, consumable=True,
         gift=0.3, returns=0.01),
    Leaf("Toys > Puzzles", ("Ravensburger", "Schmidt Spiele", "Clementoni", "Wentworth"),
         ("1000-Piece Puzzle", "500-Piece Puzzle", "3D Puzzle", "Panorama Puzzle"), 17.0,
         "christmas", gift=1.2, returns=0.02),
    Leaf("Toys > Board Games", ("Kosmos", "Hasbro", "Asmodee", "Haba"),
         ("Strategy Game", "Family Game", "Card Game", "Party Game", "Cooperative Adventure"),
         29.0, "christmas", gift=1.3, returns=0.03),
    Leaf("Toys > Building Sets", ("LEGO", "Playmobil", "Cobi", "Fischertechnik"),
         ("Castle Set", "Space Station", "Fire Station", "Race Car", "Treehouse"), 49.0,
         "christmas", gift=1.5, returns=0.04),
    Leaf("Electronics > Audio > Headphones", ("Sony", "Sennheiser", "Bose", "JBL"),
         ("Wireless Headphones", "Noise-Cancelling Headphones", "True Wireless Earbuds",
          "Sports Earbuds"), 119.0, "winter", gift=0.8, returns=0.12),
    Leaf("Electronics > Audio > Speakers", ("JBL", "Bose", "Sonos", "Teufel"),
         ("Bluetooth Speaker", "Smart Speaker", "Soundbar", "Outdoor Speaker"), 149.0,
         "winter", share=0.6, gift=0.7, returns=0.1),
    Leaf("Electronics > Smart Home", ("Philips Hue", "tado", "AVM", "Eve"),
         ("Smart Bulb Starter Kit", "Smart Thermostat", "Smart Plug", "Motion Sensor",
          "Mesh Wi-Fi Router"), 59.0, "winter", gift=0.3, returns=0.07),
    Leaf("Electronics > Accessories", ("Anker", "Belkin", "Hama", "Ugreen"),
         ("USB-C Charger", "USB-C Cable 2 m", "Power Bank", "Wireless Charger",
          "AA Batteries 8-Pack"), 19.0, share=1.2, consumable=True, gift=0.1, returns=0.04),
    Leaf("Sports > Running > Shoes", ("Asics", "Brooks", "Hoka", "Adidas", "Nike"),
         ("Road Running Shoe", "Trail Running Shoe", "Racing Shoe", "Stability Shoe"), 129.0,
         gift=0.1, returns=0.22),
    Leaf("Sports > Running > Apparel", ("Asics", "Nike", "Craft", "Ronhill"),
         ("Running Tights", "Running Shirt", "Rain Jacket", "Running Socks 3-Pack",
          "Running Cap"), 34.0, share=1.3, gift=0.2, returns=0.18),
    Leaf("Sports > Yoga", ("Manduka", "Lotuscrafts", "Gaiam"),
         ("Yoga Mat", "Yoga Block", "Meditation Cushion", "Yoga Strap"), 34.0, gift=0.3,
         returns=0.06),
    Leaf("Home > Bedding", ("Brennet", "Estella", "Dorma", "Silentnight"),
         ("Duvet Cover Set", "Pillow", "Fitted Sheet", "Duvet", "Throw"), 54.0, "winter",
         gift=0.3, returns=0.1),
    Leaf("Home > Lighting", ("Philips", "Paulmann", "Brilliant", "Lindby"),
         ("Table Lamp", "Floor Lamp", "LED Bulb 4-Pack", "Fairy Lights", "Reading Light"), 44.0,
         "winter", gift=0.3, returns=0.07),
    Leaf("Home > Seasonal > Christmas", ("Käthe Wohlfahrt", "Inge-Glas", "Konstsmide", "Premier"),
         ("Advent Wreath", "Bauble Set", "Nutcracker", "LED Window Star", "Advent Calendar"),
         24.0, "advent", gift=0.9, returns=0.03),
    Leaf("Beauty > Skin Care", ("Weleda", "Dr. Hauschka", "Nivea", "The Body Shop"),
         ("Day Cream", "Face Serum", "Hand Cream", "Cleansing Gel", "Lip Balm"), 17.0,
         consumable=True, gift=0.5, returns=0.02),
    Leaf("Beauty > Fragrance", ("Hugo Boss", "Davidoff", "4711", "Jo Malone"),
         ("Eau de Parfum 50 ml", "Eau de Toilette 100 ml", "Eau de Cologne", "Scented Candle"),
         59.0, "christmas", gift=1.5, returns=0.03),
)  # fmt: skip
"""Every leaf of the demo category tree."""

COMPLEMENTS: dict[str, tuple[tuple[str, float], ...]] = {
    "Kitchen > Coffee > Machines": (
        ("Kitchen > Coffee > Beans", 0.65),
        ("Kitchen > Coffee > Accessories", 0.4),
    ),
    "Kitchen > Coffee > Beans": (("Kitchen > Coffee > Accessories", 0.15),),
    "Kitchen > Coffee > Accessories": (("Kitchen > Coffee > Beans", 0.35),),
    "Garden > Tools > Power Tools": (("Garden > Tools > Hand Tools", 0.3),),
    "Garden > Plants & Seeds": (("Garden > Watering", 0.3), ("Garden > Tools > Hand Tools", 0.2)),
    "Garden > Furniture": (("Garden > Plants & Seeds", 0.2),),
    "Pets > Dog Care > Food": (("Pets > Dog Care > Toys & Accessories", 0.35),),
    "Pets > Dog Care > Toys & Accessories": (("Pets > Dog Care > Food", 0.3),),
    "Pets > Cat Care > Food": (("Pets > Cat Care > Litter & Accessories", 0.45),),
    "Pets > Cat Care > Litter & Accessories": (("Pets > Cat Care > Food", 0.4),),
    "Sports > Running > Shoes": (("Sports > Running > Apparel", 0.55),),
    "Sports > Running > Apparel": (("Sports > Running > Shoes", 0.15),),
    "Electronics > Audio > Headphones": (("Electronics > Accessories", 0.35),),
    "Electronics > Audio > Speakers": (
        ("Electronics > Accessories", 0.25),
        ("Electronics > Smart Home", 0.1),
    ),
    "Electronics > Smart Home": (("Home > Lighting", 0.3),),
    "Kitchen > Cookware": (("Books > Cookery", 0.25),),
    "Books > Cookery": (("Kitchen > Cookware", 0.15),),
    "Books > Science Fiction": (("Books > Science Fiction", 0.3),),
    "Books > Crime": (("Books > Crime", 0.3),),
    "Toys > Puzzles": (("Toys > Board Games", 0.2),),
    "Toys > Board Games": (("Toys > Puzzles", 0.2),),
    "Toys > Building Sets": (("Books > Children's Books", 0.15),),
    "Books > Children's Books": (("Toys > Puzzles", 0.15),),
    "Sports > Yoga": (("Kitchen > Tea", 0.2),),
    "Home > Bedding": (("Home > Lighting", 0.2),),
    "Home > Seasonal > Christmas": (("Home > Lighting", 0.25),),
    "Beauty > Skin Care": (("Beauty > Fragrance", 0.15),),
    "Beauty > Fragrance": (("Beauty > Skin Care", 0.25),),
}
"""Leaf → (complementary leaf, chance that a basket with the first also holds the second)."""

BOOK_WORDS_A = (
    "Silent", "Last", "Hidden", "Burning", "Frozen", "Distant", "Broken", "Golden", "Dark",
    "Quiet", "Lost", "Iron", "Glass", "Endless", "Secret", "Winter", "Northern", "Seventh",
)  # fmt: skip
BOOK_WORDS_B = (
    "Orbit", "Harbour", "Garden", "Empire", "Signal", "River", "Archive", "Kingdom", "Island",
    "Machine", "Witness", "Station", "Forest", "Kitchen", "Atlas", "Voyage", "Promise", "City",
)  # fmt: skip
MODEL_WORDS = (
    "Classic", "Pro", "Plus", "Compact", "Eco", "Max", "Mini", "Original", "Select", "Premium",
    "Sport", "Comfort", "Essential", "Edition 2", "Deluxe",
)  # fmt: skip
