"""One TLS context for every HTTP client of the process: building one loads the CA bundle
(~20 ms), and a run opens a client per step."""

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
