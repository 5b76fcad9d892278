"""The WSGI application called as gunicorn calls it, page-cache front included."""

from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory


class Front:
    """Calls the WSGI application as gunicorn does; counts the requests Django itself handled."""

    def __init__(self):
        from cms.wsgi import application

        self.application = application
        self.django_requests = 0
        self._environ = None

    def _started(self, environ=None, **kwargs):
        # Only this call's request: a server thread another test left running may start requests too.
        if environ is not None and environ is self._environ:
            self.django_requests += 1

    def get(self, host, path="/", **extra):
        environ = RequestFactory().get(path, HTTP_HOST=host, **extra).environ
        self._environ = environ
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = int(status.split(" ", 1)[0])
            answer["headers"] = dict(headers)

        # As Django's test client does: the handler must not close the test's connection.
        request_started.disconnect(close_old_connections)
        request_started.connect(self._started)
        try:
            chunks = self.application(environ, start_response)
            body = b"".join(chunks)
            if hasattr(chunks, "close"):
                from django.core.signals import request_finished

                request_finished.disconnect(close_old_connections)
                try:
                    chunks.close()
                finally:
                    request_finished.connect(close_old_connections)
        finally:
            request_started.disconnect(self._started)
            request_started.connect(close_old_connections)
            connection.set_schema_to_public()
        return answer["status"], answer["headers"], body.decode()
