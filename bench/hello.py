"""The ceilings: Flask in the same gunicorn set-up as the app, doing no work of its own."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hallo"


@app.post("/api/v1/responses")
def echo_verdicts() -> object:
    """What a batch costs without the app: read the JSON, answer a verdict per item."""
    items = (request.get_json(force=True) or {}).get("responses", [])
    return jsonify(results=[{"uuid": item["uuid"], "status": "stored"} for item in items])
