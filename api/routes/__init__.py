"""HTTP routes, one module per resource."""

from fastapi import APIRouter

from api.routes import conversations, health, messages, web, widget_session

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(conversations.router)
api_router.include_router(messages.router)
api_router.include_router(widget_session.router)
# The service API (api/service_api) is not here: it has its own internal app and listener
# (api.main.create_service_app, api/serve.py), never the public port.

__all__ = ["api_router", "health", "web"]
