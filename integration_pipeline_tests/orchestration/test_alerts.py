"""Run-failure alerts reach a real webhook; a webhook that is down does not break the sensor."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from integration_pipeline.orchestration.alerts import alert_text, send_alert
from integration_pipeline_tests.conftest import free_port


def test_the_alert_is_posted_and_a_dead_webhook_is_reported_not_raised():
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        text = alert_text("orders_flow", "r-123", "step sync__orders__apply failed")
        assert send_alert(f"http://127.0.0.1:{server.server_port}/hook", text) is None
    finally:
        server.shutdown()
    assert received == [{"text": text}]
    assert "orders_flow" in text and "r-123" in text
    problem = send_alert(f"http://127.0.0.1:{free_port()}/hook", text, timeout=2)
    assert problem is not None and "ConnectError" in problem
