"""The ceiling: a Flask hello world in the same gunicorn set-up as the app."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hallo"
