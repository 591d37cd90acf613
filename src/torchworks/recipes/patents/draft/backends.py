"""Text generation behind one small interface: an in-process HF causal LM, or any server that
speaks the OpenAI chat API (vLLM, SGLang, TensorRT-LLM, Triton's OpenAI frontend).

    backend = LocalBackend.load()                      # embedded SmolLM2-135M-Instruct
    backend = OpenAIBackend("http://127.0.0.1:8000/v1", api_key="...", model="my-model")
    text = backend.generate([{"role": "user", "content": "..."}], GenerateParams(max_new_tokens=80))
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from torchworks.errors import ConfigError, DependencyError, TorchworksError, require

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


@dataclass(frozen=True)
class GenerateParams:
    max_new_tokens: int = 160
    temperature: float = 0.0  # 0 = greedy, reproducible
    top_p: float = 1.0
    stop: tuple[str, ...] = field(default_factory=tuple)
    seed: int | None = None


class Backend(Protocol):
    name: str

    def generate(self, messages: Sequence[Message], params: GenerateParams) -> str: ...

    def stream(self, messages: Sequence[Message], params: GenerateParams) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...


class LocalBackend:
    """A Hugging Face causal LM in this process (`torchworks.llm`): greedy by default."""

    def __init__(self, lm: Any) -> None:
        self.lm = lm
        self.name = f"local:{lm.name}"

    @classmethod
    def load(cls, model: str | None = None, *, models_dir: str | None = None,
             device: str = "cpu") -> LocalBackend:
        """`model` is a local HF folder; None loads the embedded SmolLM2-135M-Instruct."""
        from torchworks.llm.load import load_causal_lm

        return cls(load_causal_lm(model, models_dir=models_dir, device=device))

    def _prompt(self, messages: Sequence[Message]) -> str:
        from torchworks.llm.generate import chat_prompt

        return chat_prompt(self.lm.tokenizer, list(messages))

    def _params(self, params: GenerateParams) -> Any:
        from torchworks.llm.sampling import SamplingParams

        return SamplingParams(max_new_tokens=params.max_new_tokens,
                              temperature=params.temperature, top_p=params.top_p,
                              stop=tuple(params.stop), seed=params.seed,
                              repetition_penalty=1.1)

    def generate(self, messages: Sequence[Message], params: GenerateParams) -> str:
        from torchworks.llm.generate import generate

        return generate(self.lm, self._prompt(messages), self._params(params)).text

    def stream(self, messages: Sequence[Message], params: GenerateParams) -> Iterator[str]:
        from torchworks.llm.generate import stream

        yield from stream(self.lm, self._prompt(messages), self._params(params))

    def count_tokens(self, text: str) -> int:
        return len(self.lm.tokenizer(text, add_special_tokens=False)["input_ids"])


class OpenAIBackend:
    """`POST {base_url}/chat/completions` with a bearer key; retries connection errors, 429 and
    5xx with exponential backoff; every request has a timeout."""

    def __init__(self, base_url: str, api_key: str = "", model: str = "default", *,
                 timeout_s: float = 60.0, retries: int = 2, backoff_s: float = 0.5) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"--base-url must be an http(s) URL, got '{base_url}'",
                              fix="e.g. --base-url http://127.0.0.1:8000/v1")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout_s = timeout_s
        self.retries = retries
        self.backoff_s = backoff_s
        self.name = f"openai:{model}@{self.base_url}"
        self._httpx = require("httpx", "serve")

    def _body(self, messages: Sequence[Message], params: GenerateParams, stream: bool) -> dict:
        body: dict[str, Any] = {"model": self.model, "messages": list(messages),
                                "max_tokens": params.max_new_tokens,
                                "temperature": params.temperature, "top_p": params.top_p,
                                "stream": stream}
        if params.stop:
            body["stop"] = list(params.stop)[:4]  # OpenAI accepts at most 4
        if params.seed is not None:
            body["seed"] = params.seed
        return body

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def _with_retries(self, send: Any) -> Any:
        httpx = self._httpx
        for attempt in range(self.retries + 1):
            try:
                response = send()
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                if attempt == self.retries:
                    raise DependencyError(f"cannot reach {self.base_url}: {exc}",
                                          fix="check --base-url and that the server runs") from exc
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
                if attempt == self.retries:
                    return response
            time.sleep(self.backoff_s * 2 ** attempt)
        raise AssertionError("unreachable")

    def generate(self, messages: Sequence[Message], params: GenerateParams) -> str:
        url = f"{self.base_url}/chat/completions"
        response = self._with_retries(lambda: self._httpx.post(
            url, json=self._body(messages, params, False), headers=self._headers(),
            timeout=self.timeout_s))
        _raise_for_status(response, url)
        return response.json()["choices"][0]["message"]["content"] or ""

    def stream(self, messages: Sequence[Message], params: GenerateParams) -> Iterator[str]:
        url = f"{self.base_url}/chat/completions"
        with self._httpx.Client(timeout=self.timeout_s, headers=self._headers()) as client:
            request = client.build_request("POST", url, json=self._body(messages, params, True))
            response = self._with_retries(lambda: client.send(request, stream=True))
            try:
                if response.status_code >= 400:
                    response.read()
                    _raise_for_status(response, url)
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    delta = json.loads(data)["choices"][0].get("delta", {})
                    if delta.get("content"):
                        yield delta["content"]
            finally:
                response.close()

    def count_tokens(self, text: str) -> int:
        """An estimate (about 4 characters per token): the OpenAI API has no tokenize call."""
        return max(1, (len(text) + 3) // 4) if text else 0


def _raise_for_status(response: Any, url: str) -> None:
    if response.status_code >= 400:
        raise TorchworksError(
            f"{url} answered {response.status_code}: {response.text[:200]}",
            fix="check --api-key / --model, and the server's log")
