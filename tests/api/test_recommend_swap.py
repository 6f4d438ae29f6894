"""A running server picks up a newly trained model without a restart and without failures."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from kunde.api import create_app
from kunde.config import Settings
from kunde.engine import Engine


def test_requests_never_fail_while_train_swaps_versions(demo_engine: Engine) -> None:
    settings = Settings(
        database_url=demo_engine.settings.database_url,
        data_dir=demo_engine.settings.data_dir,
        environment="test",
        recommend_reload_seconds=0.0,
    )
    server = Engine(settings)
    key = server.create_key("integration")
    model = server.recommend_model()
    customer = str(model.customer_ids[0])
    product = str(model.product_ids[int(model.also_bought.getnnz(axis=1).argmax())])
    paths = [
        f"/v1/customers/{customer}/recommendations",
        f"/v1/products/{product}/also-bought",
    ]
    statuses: list[int] = []
    versions: list[str] = []
    stop = threading.Event()

    def load(client: TestClient) -> None:
        n = 0
        while not stop.is_set():
            response = client.get(paths[n % 2], headers={"Authorization": f"Bearer {key}"})
            n += 1
            statuses.append(response.status_code)
            if response.status_code == 200:
                versions.append(response.json()["model_version"])

    with TestClient(create_app(server)) as client:
        worker = threading.Thread(target=load, args=(client,))
        worker.start()
        try:
            first = model.version
            # ``kunde train`` in another process does the same: write, rename, replace pointer
            trained = [demo_engine.train_recommend()["version"] for _ in range(2)]
            deadline = time.monotonic() + 60
            while trained[-1] not in versions and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            worker.join()
    server.close()
    assert statuses and set(statuses) == {200}
    assert versions[0] == first
    assert versions[-1] == trained[-1]
    seen = list(dict.fromkeys(versions))
    assert seen == [v for v in [first, *trained] if v in seen]  # never back to an older one
