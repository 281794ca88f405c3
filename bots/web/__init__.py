"""The web chat and HTTP API: a FastAPI app (app.py), its routers, and the static page."""
