"""When `sandbox up` may reuse what runs: same settings and the same CRM server code."""

from dataclasses import replace

from integration_pipeline.sandbox.crm.process import code_fingerprint
from integration_pipeline.sandbox.manager import _same_sandbox
from integration_pipeline.sandbox.settings import SandboxSettings


def test_a_crm_server_started_from_other_code_is_not_reused():
    settings = SandboxSettings()
    erp = {"database": settings.database, "port": settings.erp_port}
    current = {"erp": erp, "crm": {"port": settings.crm_port, "code": code_fingerprint()}}
    assert _same_sandbox(current, settings)
    older = {"erp": erp, "crm": {"port": settings.crm_port, "code": "0123456789ab"}}
    assert not _same_sandbox(older, settings)
    before_fingerprints = {"erp": erp, "crm": {"port": settings.crm_port}}
    assert not _same_sandbox(before_fingerprints, settings)
    assert not _same_sandbox(current, replace(settings, crm_port=settings.crm_port + 1))
