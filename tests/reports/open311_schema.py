"""JSON Schemas of GeoReport v2 answers, written from the specification
(wiki.open311.org/GeoReport_v2) for the fields we serve; the published schemas in
../shared/open311/ are checked too when that folder is there."""

NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$"}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string", "minLength": 1},
        "service_name": {"type": "string", "minLength": 1},
        "description": NULLABLE_STRING,
        "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]},
        "keywords": NULLABLE_STRING,
        "group": NULLABLE_STRING,
    },
    "additionalProperties": False,
}
SERVICES = {"type": "array", "items": SERVICE}

SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {"service_code": {"type": "string"}, "attributes": {"type": "array"}},
}

REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string", "minLength": 1},
        "status": {"enum": ["open", "closed"]},
        "status_notes": NULLABLE_STRING,
        "service_name": NULLABLE_STRING,
        "service_code": {"type": "string"},
        "description": {"type": ["string", "null"], "maxLength": 4000},
        "agency_responsible": NULLABLE_STRING,
        "service_notice": NULLABLE_STRING,
        "requested_datetime": DATETIME,
        "updated_datetime": {"anyOf": [DATETIME, {"type": "null"}]},
        "expected_datetime": {"anyOf": [DATETIME, {"type": "null"}]},
        "address": NULLABLE_STRING,
        "address_id": NULLABLE_STRING,
        "zipcode": NULLABLE_STRING,
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "media_url": {"type": ["string", "null"], "pattern": "^https?://"},
    },
    "additionalProperties": False,
}
REQUESTS = {"type": "array", "items": REQUEST}

POSTED = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "properties": {
            "service_request_id": {"type": "string"},
            "token": {"type": "string"},
            "service_notice": NULLABLE_STRING,
            "account_id": NULLABLE_STRING,
        },
    },
}

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "additionalProperties": False,
    },
}

DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "endpoints"],
    "properties": {
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "type", "formats"],
                "properties": {"formats": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}
