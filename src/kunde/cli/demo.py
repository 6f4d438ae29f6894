"""``kunde demo``: build the demo shop, print what was stored and a key to try, then serve."""

from __future__ import annotations

import typer

from kunde.cli import _common
from kunde.cli.serve import serve
from kunde.cli.train import recommend_line

__all__ = ["demo"]


def _say(text: str) -> None:
    """One line on stdout, as is: no markup, no wrapping (keys and commands stay whole)."""
    _common.out.print(text, markup=False, highlight=False, soft_wrap=True)


def _import_line(label: str, summary: object) -> str:
    counts = summary if isinstance(summary, dict) else {}
    line = (
        f"  {label:<12}{counts.get('read', 0):>7} read, {counts.get('imported', 0)} imported, "
        f"{counts.get('duplicates', 0)} already stored, {counts.get('rejected', 0)} rejected"
    )
    if counts.get("rejected"):
        line += f" (reasons in {counts.get('reject_file')})"
    return line


def demo(
    customers: int = typer.Option(2000, "--customers", min=1, help="Registered customers."),
    seed: int = typer.Option(7, "--seed", help="Random seed: the same seed, the same shop."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to serve on."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Build the shop, do not serve it."),
    new_key: bool = typer.Option(
        False, "--new-key", help="Print a new admin key even if the demo created one before."
    ),
) -> None:
    """Build a realistic demo shop (two years of orders, events, profiles), then serve it."""
    engine = _common.engine()
    _common.err.print(f"building the demo shop (seed {seed}, {customers} customers) ...")
    result = engine.build_demo(seed=seed, customers=customers, progress=_common.err.is_terminal)
    _say(f"demo shop stored in {engine.store.db.url.render_as_string()}")
    _say(f"  files       {result['directory']}")
    _say(f"  customers   {result['customers']:>7} profiles")
    _say(_import_line("products", result["products"]))
    _say(_import_line("order lines", result["orders"]))
    _say(_import_line("events", result["events"]))
    value = result["value"]
    assert isinstance(value, dict)
    _say(f"  consents    {result['consents']} starting entries (personalization, e-mail)")
    _say(f"  value       {value['customers']} customers, chosen model {value['chosen']}")
    recommend = result["recommend"]
    assert isinstance(recommend, dict)
    _say(f"  {recommend_line(recommend)}")

    base = f"http://{host}:{port}"
    key = engine.demo_admin_key(new=new_key)
    if key is None:
        _say(
            "admin key: the one printed when the demo was first built still works (kunde keeps "
            "only its hash); run 'kunde demo --new-key' for another.",
        )
        key = "YOUR_KEY"
    else:
        _say(f"admin key (shown only now, keep it): {key}")
    auth = f'-H "Authorization: Bearer {key}"'
    _say("try it:")
    _say(f"  curl {auth} {base}/v1/customers/{result['example_customer_id']}")
    _say(f"  curl {auth} {base}/v1/products/{result['example_product_id']}")
    _say(f"  curl {auth} {base}/v1/products/{result['example_product_id']}/also-bought")
    _say(f"  curl {auth} {base}/v1/customers/{result['example_customer_id']}/recommendations")
    _say(f"  open {base}/docs")
    if no_serve:
        return
    engine.close()
    serve(host=host, port=port, workers=1)
