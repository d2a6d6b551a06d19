"""HTTP routes, one module per resource."""

from fastapi import APIRouter

from api import service_api
from api.routes import conversations, health, messages, web, widget_session

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(conversations.router)
api_router.include_router(messages.router)
api_router.include_router(widget_session.router)
api_router.include_router(service_api.router)

__all__ = ["api_router", "health", "web"]
