"""An outbox engine for tests: records what it was told, and can be made to fail like a down server."""

from publishing.catalogue.engines import OutboxEngine


class RecordingEngine(OutboxEngine):
    calls = []
    down = False

    def apply(self, event, entry):
        if RecordingEngine.down:
            raise ConnectionError("engine unavailable")
        RecordingEngine.calls.append((event.tenant_code, event.page_id, entry.title if entry else None))
