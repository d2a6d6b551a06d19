"""`python -m simulators [--host H] [--port P]`: serve every simulated ministry over HTTP, for
a gateway started with `AW_SIMULATORS=off` and real URLs. `--env` prints those settings."""

from __future__ import annotations

import argparse

import uvicorn

from simulators.server import create_server, ministry_urls
from simulators.settings import SimulatorSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--env", action="store_true", help="print the gateway's AW_* settings and exit")
    args = parser.parse_args(argv)
    urls = ministry_urls(f"http://{args.host}:{args.port}")
    settings = SimulatorSettings()
    if args.env:
        print("AW_SIMULATORS=off")
        for name, url in urls.items():
            print(f"{name}={url}")
        # The simulated INApas' client secret, when this environment sets one (the gateway
        # needs the same; without it the provider refuses every client).
        if settings.inapas_client_secret:
            print(f"AW_INAPAS_CLIENT_SECRET={settings.inapas_client_secret}")
        return 0
    uvicorn.run(create_server(settings), host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
