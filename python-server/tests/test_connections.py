"""Connections to an upstream are reused; HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured."""

import select
import socket
import threading
from typing import Any

import pytest

from conftest import aws_call
from tls import tls_upstream


@pytest.fixture
def mlops_config(tmp_path, upstream):
    return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"sagemaker": upstream.url}}


async def test_a_second_request_reuses_the_connection(call, upstream):
    for _ in range(3):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 200, response.body
    assert len(upstream.requests) == 3
    assert upstream.connections == 1


async def test_the_pool_is_closed_when_the_server_cleans_up(call, jp_serverapp):
    assert (await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))).code == 200
    transport = jp_serverapp.web_app.settings["sagemaker_mlops.aws"].transport
    session = transport.session()
    await jp_serverapp.cleanup_extensions()
    assert session.closed


class ForwardProxy:
    """A loopback forward proxy: CONNECT tunnels (https targets) and absolute-form requests (http targets)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                data = client.recv(65536)
                if not data:
                    return
                head += data
            request_line = head.split(b"\r\n", 1)[0].decode()
            self.seen.append(request_line)
            method, target, _ = request_line.split(" ", 2)
            if method == "CONNECT":
                host, port = target.rsplit(":", 1)
                remote = socket.create_connection((host, int(port)))
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                rest = head.split(b"\r\n\r\n", 1)[1]
            else:  # absolute-form: http://host:port/path
                hostport, path = target.split("://", 1)[1].split("/", 1)
                host, port = hostport.rsplit(":", 1)
                remote = socket.create_connection((host, int(port)))
                rest = head.replace(target.encode(), b"/" + path.encode(), 1)
            with remote:
                if rest:
                    remote.sendall(rest)
                self._pipe(client, remote)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        sockets = [a, b]
        while True:
            readable, _, _ = select.select(sockets, [], [], 10)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)

    def close(self) -> None:
        self.closed = True
        self.sock.close()


@pytest.fixture
def forward_proxy():
    proxy = ForwardProxy()
    yield proxy
    proxy.close()


@pytest.fixture
def tls_peer(tmp_path):
    with tls_upstream(tmp_path) as peer:
        yield peer


class TestHttpsProxy:
    @pytest.fixture
    def aws_env(self, aws_env, monkeypatch, forward_proxy):
        monkeypatch.setenv("HTTPS_PROXY", forward_proxy.url)
        return aws_env

    @pytest.fixture
    def mlops_config(self, tmp_path, tls_peer):
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {"sagemaker": tls_peer.url},
            "upstream_ca_bundle": tls_peer.ca_path,
        }

    async def test_https_goes_through_the_proxy(self, call, forward_proxy, tls_peer):
        for _ in range(2):
            response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
            assert response.code == 200, response.body
        assert forward_proxy.seen == [f"CONNECT {tls_peer.host} HTTP/1.1"]  # one tunnel, reused
        assert len(tls_peer.requests) == 2
        assert tls_peer.requests[0]["headers"]["authorization"].startswith("AWS4-HMAC-SHA256")

    class TestNoProxy:
        @pytest.fixture
        def aws_env(self, aws_env, monkeypatch):
            monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
            return aws_env

        async def test_no_proxy_bypasses_it(self, call, forward_proxy, tls_peer):
            response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
            assert response.code == 200, response.body
            assert forward_proxy.seen == []
            assert len(tls_peer.requests) == 1


class TestHttpProxy:
    @pytest.fixture
    def aws_env(self, aws_env, monkeypatch, forward_proxy):
        monkeypatch.setenv("HTTP_PROXY", forward_proxy.url)
        return aws_env

    async def test_plain_http_goes_through_the_proxy(self, call, forward_proxy, upstream):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 200, response.body
        assert forward_proxy.seen == [f"POST {upstream.url}/ HTTP/1.1"]
        assert upstream.requests[0]["headers"]["Host"] == upstream.host


class TestUntrustedCertificate:
    @pytest.fixture
    def mlops_config(self, tmp_path, tls_peer):
        return {"resource_metadata_path": str(tmp_path / "none.json"), "endpoint_urls": {"sagemaker": tls_peer.url}}

    async def test_an_unknown_ca_is_refused(self, call, tls_peer):
        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 502
        assert tls_peer.requests == []


class TestUnreadableCaBundle:
    @pytest.fixture
    def mlops_config(self, tmp_path, upstream):
        (tmp_path / "not-pem.crt").write_text("not a certificate")
        return {
            "resource_metadata_path": str(tmp_path / "none.json"),
            "endpoint_urls": {"sagemaker": upstream.url},
            "upstream_ca_bundle": str(tmp_path / "not-pem.crt"),
        }

    async def test_is_a_clear_500(self, call, upstream):
        from conftest import error_of, untouched

        response = await call("/sagemaker-mlops/aws/sagemaker/", **aws_call("SageMaker.ListPipelines"))
        assert response.code == 500
        assert error_of(response)["code"] == "InvalidCABundle"
        assert untouched(upstream)
