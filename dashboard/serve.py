"""Production serving: gunicorn with several workers, each loading the app (stateless over a read-only
warehouse, so any number of workers or hosts can serve the same file)."""
from __future__ import annotations

from gunicorn.app.base import BaseApplication


class Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from dashboard.app import server
        with server.test_client() as client:  # finish Dash's first-request setup before threads race on it
            client.get("/")
        return server


def serve(host: str = "127.0.0.1", port: int = 8050, workers: int = 2, threads: int = 4, timeout: int = 60) -> None:
    Server({"bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
            "timeout": timeout, "graceful_timeout": 10, "accesslog": "-", "errorlog": "-",
            "loglevel": "warning", "limit_request_line": 8190}).run()
