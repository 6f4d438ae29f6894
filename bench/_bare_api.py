"""The anchor for bench/api.py: the bare HTTP stack (FastAPI + uvicorn), no auth, no storage.

The same order bodies are parsed and validated by FastAPI and dropped, so the ratio shows what
kunde adds: key check, defensive parsing, storage and summaries.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel

from kunde.orders import OrderIn


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    gc.freeze()  # as kunde's app does after start-up
    yield


app = FastAPI(lifespan=_lifespan)


class Orders(BaseModel):
    orders: list[OrderIn]


@app.get("/v1/products/{product_id}")
def product(product_id: str) -> dict[str, object]:
    return {"product_id": product_id, "name": "Spaten", "price": 29.9}


@app.post("/v1/orders", status_code=201)
def orders(body: Orders) -> dict[str, object]:
    return {"created": [o.order_id for o in body.orders], "unchanged": []}


_RECOMMENDED = [
    {
        "product_id": f"P{10000 + i}",
        "name": "Spaten",
        "category": "Garden > Tools",
        "score": round(1 - i / 10, 4),
        "reason": "popular this week",
        "reason_code": "popular",
        "because_of": None,
    }
    for i in range(10)
]


@app.get("/v1/customers/{customer_id}/recommendations")
async def recommendations(customer_id: str, k: int = 10) -> dict[str, object]:
    """The anchor of bench/recommend_serve.py: a constant list, same response shape.

    ``async`` like kunde's route, so neither pays a thread hop the other does not.
    """
    return {
        "customer_id": customer_id,
        "context": "home",
        "personal": False,
        "basis": "constant",
        "model_version": "constant",
        "items": _RECOMMENDED[:k],
    }
