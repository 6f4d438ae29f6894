"""Word lists for the demo shop's people and places.

Names and streets are common in Germany and the United Kingdom; postcodes follow each city's
real ranges (German five-digit codes, UK outward codes). Contact details are safe to use: e-mail
addresses use the reserved ``example.*`` domains (RFC 2606) and phone numbers come from the
ranges regulators set aside for fiction (Ofcom's 07700 900xxx; Bundesnetzagentur's drama
numbers), so a demo never reaches a real person.
"""

from __future__ import annotations

__all__ = [
    "DE_CITIES",
    "DE_FAMILY",
    "DE_FEMALE",
    "DE_MALE",
    "DE_NEUTRAL",
    "DE_PHONE_PREFIXES",
    "DE_STREETS",
    "EMAIL_DOMAINS",
    "EN_FAMILY",
    "EN_FEMALE",
    "EN_MALE",
    "EN_NEUTRAL",
    "TRANSLITERATION",
    "UK_CITIES",
    "UK_INWARD_LETTERS",
    "UK_STREETS",
]

DE_FEMALE = (
    "Anna", "Maria", "Sophie", "Laura", "Julia", "Lena", "Katharina", "Sarah", "Lisa",
    "Hannah", "Leonie", "Johanna", "Emma", "Mia", "Clara", "Sabine", "Petra", "Monika",
    "Ursula", "Claudia", "Andrea", "Stefanie", "Birgit", "Jana", "Franziska", "Charlotte",
    "Greta", "Ida", "Marie", "Elisabeth", "Jülide", "Ayşe", "Zofia",
)  # fmt: skip
DE_MALE = (
    "Lukas", "Jonas", "Leon", "Felix", "Maximilian", "Paul", "Tim", "Jan", "Thomas",
    "Michael", "Andreas", "Stefan", "Markus", "Christian", "Matthias", "Wolfgang", "Jürgen",
    "Klaus", "Uwe", "Frank", "Sebastian", "Tobias", "Florian", "Alexander", "Niklas",
    "Moritz", "Finn", "Ben", "Elias", "Jakob", "Mehmet", "Piotr",
)  # fmt: skip
DE_NEUTRAL = ("Alex", "Kim", "Robin", "Luca", "Sascha", "Eike", "Toni", "Mika", "Jona", "Nico")
DE_FAMILY = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
    "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
    "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
    "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber",
    "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel",
    "Yılmaz", "Öztürk", "Nowak", "Kowalski", "Friedrich", "Günther", "Sommer", "Winter",
)  # fmt: skip
DE_STREETS = (
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße",
    "Bergstraße", "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße",
    "Schillerstraße", "Goethestraße", "Am Markt", "Mozartstraße", "Friedrichstraße",
    "Rosenweg", "Wiesenweg", "Eichendorffstraße", "Beethovenstraße", "Sonnenallee",
    "Kastanienallee", "Ahornweg", "Mühlenweg", "Feldstraße", "Parkstraße", "Uhlandstraße",
    "Blumenstraße", "Am Hang", "Lessingstraße",
)  # fmt: skip
DE_CITIES: tuple[tuple[str, int, int], ...] = (
    ("Berlin", 10115, 14199),
    ("Hamburg", 20095, 22769),
    ("München", 80331, 81929),
    ("Köln", 50667, 51149),
    ("Frankfurt am Main", 60306, 60599),
    ("Stuttgart", 70173, 70629),
    ("Düsseldorf", 40210, 40629),
    ("Leipzig", 4103, 4357),
    ("Dresden", 1067, 1328),
    ("Hannover", 30159, 30669),
    ("Nürnberg", 90402, 90491),
    ("Bremen", 28195, 28779),
    ("Freiburg im Breisgau", 79098, 79117),
    ("Münster", 48143, 48167),
    ("Heidelberg", 69115, 69126),
    ("Bonn", 53111, 53229),
)
"""(city, lowest postcode, highest postcode); the first cities are the most populous."""
DE_PHONE_PREFIXES = ("+49 30 23125", "+49 69 90009", "+49 40 66969", "+49 221 4710", "+49 89 99998")

EN_FEMALE = (
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily", "Charlotte",
    "Jessica", "Hannah", "Lucy", "Sarah", "Emma", "Rebecca", "Laura", "Claire", "Rachel",
    "Helen", "Catherine", "Victoria", "Eleanor", "Chloe", "Megan", "Priya", "Aisha", "Zara",
    "Niamh", "Siobhan", "Fiona",
)  # fmt: skip
EN_MALE = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Charlie", "Thomas", "James", "William",
    "Daniel", "Samuel", "Joseph", "David", "Matthew", "Andrew", "Richard", "Paul", "Mark",
    "Peter", "Michael", "Christopher", "Benjamin", "Edward", "Henry", "Alexander", "Ryan",
    "Liam", "Connor", "Arjun", "Mohammed",
)  # fmt: skip
EN_NEUTRAL = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Jamie", "Riley", "Robin", "Casey")
EN_FAMILY = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Turner",
    "Hughes", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Harris", "Martin",
    "King", "Baker", "Harrison", "Morgan", "Allen", "O'Brien", "MacDonald", "Campbell",
    "Murphy", "Kelly", "Singh",
)  # fmt: skip
UK_STREETS = (
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane",
    "Manor Road", "Park Road", "Queens Road", "Kings Road", "Mill Lane", "The Crescent",
    "Grange Road", "Church Street", "London Road", "Alexandra Road", "York Road",
    "Springfield Road", "Albert Road", "Windsor Road", "Chapel Street", "Orchard Close",
    "Meadow View",
)  # fmt: skip
UK_CITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("London", ("SW1A", "N1", "E2", "SE15", "NW3", "W11", "SW11", "E17")),
    ("Manchester", ("M1", "M14", "M20", "M21")),
    ("Birmingham", ("B1", "B15", "B13")),
    ("Leeds", ("LS1", "LS6", "LS8")),
    ("Bristol", ("BS1", "BS6", "BS8")),
    ("Glasgow", ("G1", "G12", "G41")),
    ("Edinburgh", ("EH1", "EH3", "EH10")),
    ("Liverpool", ("L1", "L17", "L18")),
    ("Brighton", ("BN1", "BN2")),
    ("Oxford", ("OX1", "OX2", "OX4")),
    ("Cambridge", ("CB1", "CB2", "CB4")),
    ("Cardiff", ("CF10", "CF11", "CF24")),
)
"""(post town, outward codes); the first towns are the most populous."""
UK_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
"""Letters used in the inward part of a UK postcode (C, I, K, M, O and V never occur)."""

EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

TRANSLITERATION = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "ı": "i",
        "ş": "s",
        "'": "",
        " ": "",
    }
)
"""Folds a lower-cased name to the ASCII an e-mail local part would use."""
