"""The web app: play a negotiation against agents, watch one, and teach with it (the `web` extra).

A face over the layers below, as the command line is: `app.create_app(db_path)` builds the
FastAPI application; `game` holds games with human seats (replayed from their stored moves);
`store` keeps uploads, games and moves in SQLite; `events` pushes moves to open pages over
server-sent events; `security` holds tokens, cookies and upload limits; `figures` turns the
report's Vega-Lite figures into what the pages draw.
"""
