"""A BERT sentence encoder in numpy: the forward pass of a sentence-transformers model with mean
pooling (all-MiniLM-L6-v2), from its own `model.safetensors` and `tokenizer.json`.

Why not sentence-transformers: it needs PyTorch (754 MB from a CPU build; from PyPI, on Linux,
a CUDA build of several GB) for six small matrix layers that numpy runs at about the same speed
(bench/README.md). The vectors match sentence-transformers' to 2e-7 (tests/intake/test_bert.py
checks vectors stored from it).
"""

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

# Texts embedded together, padded to the longest of them (sorted by length first, so the
# padding stays small).
BATCH = 16
_SQRT_HALF = np.float32(np.sqrt(0.5))
# Abramowitz and Stegun 7.1.26: erf to 1.5e-7, about float32's own rounding; numpy has no erf,
# and scipy's took longer than the rest of a layer together.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)


def erf(x: np.ndarray) -> np.ndarray:
    a = np.abs(x)
    t = np.float32(1) / (np.float32(1) + _ERF_P * a)
    poly = _ERF_A[0]
    for coefficient in _ERF_A[1:]:
        poly = poly * t + coefficient
    return np.copysign(np.float32(1) - poly * t * np.exp(-a * a), x)


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's GELU, the exact (erf) form, not the tanh approximation."""
    return x * np.float32(0.5) * (np.float32(1) + erf(x * _SQRT_HALF))


class Layer:
    """One transformer block's weights, transposed once so each product is `x @ w`."""

    def __init__(self, weights: dict, prefix: str):
        def w(name):
            return weights[f"{prefix}.{name}"]

        # Query, key and value in one product.
        self.qkv = np.concatenate(
            [w(f"attention.self.{n}.weight") for n in ("query", "key", "value")]
        ).T.copy()
        self.qkv_bias = np.concatenate(
            [w(f"attention.self.{n}.bias") for n in ("query", "key", "value")]
        )
        self.attention_out = w("attention.output.dense.weight").T.copy()
        self.attention_out_bias = w("attention.output.dense.bias")
        self.attention_norm = (
            w("attention.output.LayerNorm.weight"),
            w("attention.output.LayerNorm.bias"),
        )
        self.up = w("intermediate.dense.weight").T.copy()
        self.up_bias = w("intermediate.dense.bias")
        self.down = w("output.dense.weight").T.copy()
        self.down_bias = w("output.dense.bias")
        self.output_norm = (w("output.LayerNorm.weight"), w("output.LayerNorm.bias"))


class SentenceEncoder:
    """Unit-length mean-pooled sentence vectors of a BERT model in a sentence-transformers
    folder (config.json, model.safetensors, tokenizer.json, sentence_bert_config.json)."""

    def __init__(self, folder: Path | str):
        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text())
        if (
            config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type", "absolute") != "absolute"
        ):
            raise ValueError(f"{folder}: only BERT with GELU and absolute positions is supported")
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{folder}: only mean pooling is supported")
        max_length = json.loads((folder / "sentence_bert_config.json").read_text())[
            "max_seq_length"
        ]
        self.heads = config["num_attention_heads"]
        self.eps = np.float32(config["layer_norm_eps"])
        self.dim = config["hidden_size"]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)

        weights = load_file(str(folder / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        weights = {k.removeprefix(prefix): v for k, v in weights.items()}
        self.words = weights["embeddings.word_embeddings.weight"]
        self.positions = weights["embeddings.position_embeddings.weight"]
        # Every text is one segment: its token type is 0 throughout.
        self.segment = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (
            weights["embeddings.LayerNorm.weight"],
            weights["embeddings.LayerNorm.bias"],
        )
        self.layers = [
            Layer(weights, f"encoder.layer.{n}") for n in range(config["num_hidden_layers"])
        ]

    def _norm(self, x: np.ndarray, scale_bias) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / np.sqrt(variance + self.eps) * scale_bias[0] + scale_bias[1]

    def _block(self, layer: Layer, x: np.ndarray, batch: int, mask: np.ndarray) -> np.ndarray:
        # x holds every token of the batch as one row: numpy multiplies a 2-D array by a matrix
        # in one BLAS call, a 3-D one batch by batch (2.7x slower here).
        rows, dim = x.shape
        length, size = rows // batch, dim // self.heads
        qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, length, 3, self.heads, size)
        q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
        scores = (q @ k.transpose(0, 1, 3, 2)) * np.float32(1 / np.sqrt(size)) + mask
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(rows, dim)
        attended = context @ layer.attention_out + layer.attention_out_bias + x
        x = self._norm(attended, layer.attention_norm)
        hidden = gelu(x @ layer.up + layer.up_bias)
        return self._norm(hidden @ layer.down + layer.down_bias + x, layer.output_norm)

    def _encode_batch(self, ids: list[list[int]]) -> np.ndarray:
        batch, length = len(ids), max(len(row) for row in ids)
        tokens = np.zeros((batch, length), dtype="int64")
        real = np.zeros((batch, length), dtype="float32")
        for i, row in enumerate(ids):
            tokens[i, : len(row)] = row
            real[i, : len(row)] = 1.0
        x = self.words[tokens] + self.positions[:length] + self.segment
        x = self._norm(x.reshape(batch * length, self.dim), self.embedding_norm)
        # Padding is never attended to: its keys get a score that exp() turns into 0.
        mask = ((real - 1.0) * np.float32(1e9))[:, None, None, :]
        for layer in self.layers:
            x = self._block(layer, x, batch, mask)
        x = x.reshape(batch, length, self.dim)
        pooled = (x * real[:, :, None]).sum(axis=1) / real.sum(axis=1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row per text, in the given order."""
        out = np.zeros((len(texts), self.dim), dtype="float32")
        if not texts:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            out[chunk] = self._encode_batch([ids[i] for i in chunk])
        return out
