"""The OpenAPI 3.1 description of the sync API that kiosk nodes use."""

from __future__ import annotations

from typing import Any

from kiosk.sync.ingest import MAX_BATCH

_ERROR = {
    "description": "An error a client can act on.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Kiosk sync API",
        "version": "1",
        "description": (
            "Kiosk nodes enrol once with a one-time code, then push the answers they took, "
            "in batches, any number of times and in any order: central stores each UUID once "
            "and answers with a verdict per UUID. A node forgets an answer only when its "
            "verdict is `stored`, `duplicate` or `aside` (an answer for a place the kiosk is "
            "not assigned to: central keeps it uncounted until staff of that place release "
            "or reject it). The configuration describes the kiosk's places only."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"device": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "string"}},
            },
            "Item": {
                "type": "object",
                "required": ["uuid", "location", "question_id"],
                "properties": {
                    "uuid": {
                        "type": "string",
                        "format": "uuid",
                        "description": "Made where the answer was given; its identity.",
                    },
                    "visit_id": {"type": ["string", "null"], "format": "uuid"},
                    "location": {"type": "string", "description": "The place's QR code."},
                    "question_id": {"type": "integer"},
                    "option_ids": {"type": "array", "items": {"type": "integer"}},
                    "value": {"type": ["integer", "null"], "description": "A scale point."},
                    "text": {"type": ["string", "null"], "description": "A wish."},
                    "answered_at": {
                        "type": ["string", "null"],
                        "format": "date-time",
                        "description": (
                            "The node's clock when it was given. Central keeps it as it is"
                            " and stores its own estimate beside it: this time corrected by"
                            " the node's clock offset (node.clock against central's clock,"
                            " when over two minutes), never later than its arrival. The"
                            " campaign must have been open at that estimate."
                        ),
                    },
                },
            },
            "Verdict": {
                "type": "object",
                "required": ["uuid", "status"],
                "properties": {
                    "uuid": {"type": "string"},
                    "status": {"enum": ["stored", "duplicate", "aside", "conflict", "rejected"]},
                    "error": {"type": "string"},
                },
            },
        },
    },
    "paths": {
        "/config": {
            "get": {
                "summary": (
                    "Central's places, campaigns, questions and options, and the newest "
                    "approved wishes of each place (for the kiosk's attract loop), for a node."
                ),
                "security": [{"device": []}],
                "parameters": [
                    {
                        "name": "If-None-Match",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": (
                            "The configuration; its ETag changes with the configuration "
                            "and with the approved wishes."
                        ),
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "304": {"description": "Unchanged since the ETag given."},
                    "401": _ERROR,
                },
            }
        },
        "/enrol": {
            "post": {
                "summary": "Trade a one-time enrolment code for the device token.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["code"],
                                "properties": {"code": {"type": "string"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "Enrolled; the token is shown only now.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["token", "device"],
                                    "properties": {
                                        "token": {"type": "string"},
                                        "device": {"type": "object"},
                                    },
                                }
                            }
                        },
                    },
                    "401": _ERROR,
                },
            }
        },
        "/responses": {
            "post": {
                "summary": "Push a batch of answers; get a verdict per UUID.",
                "security": [{"device": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["responses"],
                                "properties": {
                                    "responses": {
                                        "type": "array",
                                        "maxItems": MAX_BATCH,
                                        "items": {"$ref": "#/components/schemas/Item"},
                                    },
                                    "node": {
                                        "type": "object",
                                        "description": "What the node says of itself.",
                                        "properties": {
                                            "clock": {
                                                "type": "string",
                                                "format": "date-time",
                                                "description": (
                                                    "The node's clock now, with UTC offset:"
                                                    " central reads the clock offset from it."
                                                ),
                                            },
                                            "captured": {"type": "integer"},
                                            "unsent": {"type": "integer"},
                                            "refused": {
                                                "type": "object",
                                                "description": (
                                                    "Answers the kiosk's cooldown turned away,"
                                                    " per day (ISO date) of the latest 7."
                                                ),
                                                "additionalProperties": {"type": "integer"},
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "One verdict per item, in order.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["results", "server_time"],
                                    "properties": {
                                        "server_time": {"type": "string", "format": "date-time"},
                                        "results": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Verdict"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "400": _ERROR,
                    "401": _ERROR,
                    "413": _ERROR,
                },
            }
        },
    },
}
