"""A failed run is told: in the log always, and to a webhook (Slack, Teams, a pager) when
INTEGRATION_PIPELINE_ALERT_WEBHOOK names one. A webhook that does not answer is logged, never
raised: an alert must not fail the sensor that sends it."""

import os

import dagster as dg
import httpx

WEBHOOK_VARIABLE = "INTEGRATION_PIPELINE_ALERT_WEBHOOK"


def alert_text(job_name: str, run_id: str, message: str) -> str:
    return f"integration-pipeline: run {run_id} of job {job_name} failed: {message}"


def send_alert(url: str, text: str, timeout: float = 10.0) -> str | None:
    """POST `{"text": ...}` (the shape Slack and Teams incoming webhooks take); returns why
    it could not be sent, or None."""
    try:
        response = httpx.post(url, json={"text": text}, timeout=timeout)
    except httpx.HTTPError as error:
        return f"{type(error).__name__}: {error}"
    if response.status_code >= 400:
        return f"HTTP {response.status_code}"
    return None


@dg.run_failure_sensor(
    name="run_failure_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Logs every failed run and posts it to INTEGRATION_PIPELINE_ALERT_WEBHOOK.",
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    text = alert_text(
        context.dagster_run.job_name, context.dagster_run.run_id, context.failure_event.message
    )
    context.log.error(text)
    url = os.environ.get(WEBHOOK_VARIABLE)
    if url:
        problem = send_alert(url, text)
        if problem:
            context.log.warning(f"the alert webhook did not take the alert: {problem}")
