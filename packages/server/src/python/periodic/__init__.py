# Periodic's handler SDK, importable inside the sandbox: engine functions (state, streams, other
# elements) reached through the worker's own pipes to the host, and a structured Logger.
# No network and no credentials: the host runs each call as the element's own circle.
# Pure Python with nothing but the standard library's already-loaded modules, so that
# `import periodic` costs a cold start close to nothing.
import json
import sys
import time

__all__ = ["EngineError", "Logger", "state", "stream", "trigger", "current_trace_id", "current_span_id"]


class EngineError(Exception):
    """An engine call failed; `code` is the engine's code (function_not_found, invalid_payload, …)."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def _worker():
    # worker.py runs as __main__ and owns the channel; outside a run (pytest, a plain script)
    # there is none.
    main = sys.modules.get("__main__")
    if main is None or not hasattr(main, "engine_call"):
        raise EngineError("no_invocation", "the periodic SDK works inside a Periodic Python run")
    return main


def _context():
    main = sys.modules.get("__main__")
    ctx = getattr(main, "CURRENT", {}).get("context") if main is not None else None
    return ctx or {}


def trigger(function_id, payload=None):
    """Invokes an engine function of this element's circle (another element is
    `{circle}::{slug}`) and returns its result; raises EngineError on failure."""
    if not isinstance(function_id, str) or not function_id:
        raise EngineError("invalid_payload", "function_id must be a non-empty string")
    reply = _worker().engine_call(function_id, payload)
    err = reply.get("error")
    if err is not None:
        raise EngineError(str(err.get("code", "invocation_failed")), str(err.get("message", "failed")))
    return reply.get("result")


class _State:
    """`state::*` of this circle: values by (scope, key)."""

    def get(self, scope, key):
        return trigger("state::get", {"scope": scope, "key": key})

    def set(self, scope, key, value):
        return trigger("state::set", {"scope": scope, "key": key, "value": value})

    def delete(self, scope, key):
        return trigger("state::delete", {"scope": scope, "key": key})

    def list(self, scope):
        return trigger("state::list", {"scope": scope})

    def list_groups(self):
        return trigger("state::list_groups", {})

    def update(self, scope, key, ops):
        """Ordered atomic ops: [{"type": "increment", "path": "n", "by": 1}, …]."""
        return trigger("state::update", {"scope": scope, "key": key, "ops": ops})


class _Stream:
    """`stream::*` of this circle: items by (stream_name, group_id, item_id)."""

    def get(self, stream_name, group_id, item_id):
        return trigger("stream::get", {"stream_name": stream_name, "group_id": group_id, "item_id": item_id})

    def set(self, stream_name, group_id, item_id, data):
        return trigger("stream::set", {"stream_name": stream_name, "group_id": group_id,
                                       "item_id": item_id, "data": data})

    def delete(self, stream_name, group_id, item_id):
        return trigger("stream::delete", {"stream_name": stream_name, "group_id": group_id, "item_id": item_id})

    def list(self, stream_name, group_id):
        return trigger("stream::list", {"stream_name": stream_name, "group_id": group_id})

    def list_groups(self, stream_name):
        return trigger("stream::list_groups", {"stream_name": stream_name})

    def update(self, stream_name, group_id, item_id, ops):
        return trigger("stream::update", {"stream_name": stream_name, "group_id": group_id,
                                          "item_id": item_id, "ops": ops})

    def send(self, stream_name, group_id, type, data=None, id=None):
        """A custom event to the group's subscribers (or one item's, with `id`); nothing is stored."""
        payload = {"stream_name": stream_name, "group_id": group_id, "type": type, "data": data}
        if id is not None:
            payload["id"] = id
        return trigger("stream::send", payload)


state = _State()
stream = _Stream()


def current_trace_id():
    """The run's trace id (32 hex), or None outside a run."""
    return _context().get("trace_id")


def current_span_id():
    """The run's span id (16 hex), or None outside a run."""
    return _context().get("span_id")


class Logger:
    """Structured log lines on the run's log (stderr), one JSON object a line, carrying the
    run's trace and span ids: Logger("orders").info("paid", order=7)."""

    def __init__(self, name=None, **fields):
        self.name = name
        self.fields = fields

    def _log(self, level, message, fields):
        ctx = _context()
        # Fields first: they can never overwrite the line's own level, message or ids.
        line = {**self.fields, **fields}
        line.update(time=round(time.time() * 1000), level=level, message=str(message))
        if self.name:
            line["logger"] = self.name
        if ctx.get("trace_id"):
            line["trace_id"] = ctx["trace_id"]
            line["span_id"] = ctx.get("span_id")
        if ctx.get("invocation_id"):
            line["run_id"] = ctx["invocation_id"]
        sys.stderr.write(json.dumps(line, default=str, separators=(",", ":")) + "\n")

    def debug(self, message, **fields):
        self._log("debug", message, fields)

    def info(self, message, **fields):
        self._log("info", message, fields)

    def warn(self, message, **fields):
        self._log("warn", message, fields)

    warning = warn

    def error(self, message, **fields):
        self._log("error", message, fields)
