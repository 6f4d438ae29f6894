"""``kunde recommend for|also-bought|export``: recommendations from the trained model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kunde.cli import _common

__all__ = ["app"]

app = typer.Typer(
    name="recommend",
    help="Recommendations: a customer's page, also-bought lists, batch export.",
    no_args_is_help=True,
)

_K = typer.Option(10, "-k", "--k", min=1, max=100, help="Number of products.")
_JSON = typer.Option(False, "--json", help="Print the result as JSON.")


def _show(result: dict[str, Any], title: str) -> None:
    say = _common.out.print
    say(title, markup=False, soft_wrap=True)
    for rank, item in enumerate(result["items"], start=1):
        say(
            f"{rank:>3}. {item['product_id']:<12} {item['name']}  ({item['reason']})",
            markup=False,
            soft_wrap=True,
        )
    if not result["items"]:
        say("  (nothing yet: the product has no co-purchases in the trained model)")


@app.command("for")
def for_customer(
    customer: str = typer.Argument(..., help="The customer's id."),
    k: int = _K,
    as_json: bool = _JSON,
) -> None:
    """A customer's page (personal only with their personalization consent)."""
    result = _common.engine().recommendations(customer, k)
    if as_json:
        _common.print_json(result)
        return
    kind = "personal" if result["personal"] else f"not personal ({result['basis']})"
    _show(result, f"recommendations for {customer}: {kind}, model {result['model_version']}")


@app.command("also-bought")
def also_bought(
    product: str = typer.Argument(..., help="The product's id."),
    k: int = _K,
    as_json: bool = _JSON,
) -> None:
    """Products customers bought together with this one."""
    result = _common.engine().also_bought(product, k)
    if as_json:
        _common.print_json(result)
        return
    _show(result, f"customers who bought {product} also bought:")


@app.command()
def export(
    output: Path = typer.Option(..., "--output", help="CSV file to write.", show_default=False),
    k: int = _K,
    customers: Path | None = typer.Option(
        None,
        "--customers",
        help="File with one customer id per line (a 'customer_id' header line is skipped); "
        "default every customer with a history.",
        show_default=False,
    ),
    exclude_purchased: bool = typer.Option(
        False, "--exclude-purchased", help="Leave out everything the customer bought before."
    ),
) -> None:
    """Write customer_id,rank,product_id,score,reason for many customers (CSV)."""
    ids = None
    if customers is not None:
        lines = customers.read_text(encoding="utf-8").splitlines()
        ids = [s.strip() for s in lines if s.strip() and s.strip() != "customer_id"]
    rows = _common.engine().recommend_export(output, k, ids, exclude_purchased=exclude_purchased)
    _common.out.print(f"wrote {rows:,} rows to {output}", markup=False, soft_wrap=True)
