"""Optimizers of the parameter updates: Adam and SGD."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.training.settings import OptimizerSettings


class Adam:
    """Adam for gradient *ascent*, float32 moments, bias-corrected (Kingma & Ba 2015)."""

    def __init__(self, params: RBMParams, s: OptimizerSettings) -> None:
        self.s = s
        self.t = 0
        self.m = [np.zeros_like(x) for x in (params.W, params.a, params.b)]
        self.v = [np.zeros_like(x) for x in (params.W, params.a, params.b)]

    def step(self, params: RBMParams, grads: Sequence[np.ndarray]) -> None:
        s = self.s
        self.t += 1
        b1, b2 = np.float32(s.beta1), np.float32(s.beta2)
        step = np.float32(s.lr * np.sqrt(1 - s.beta2**self.t) / (1 - s.beta1**self.t))
        eps = np.float32(s.eps * np.sqrt(1 - s.beta2**self.t))
        for p, g, m, v in zip((params.W, params.a, params.b), grads, self.m, self.v, strict=True):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p += step * m / (np.sqrt(v) + eps)

    def state(self) -> dict[str, np.ndarray]:
        out = {"opt_t": np.array(self.t)}
        for i, (m, v) in enumerate(zip(self.m, self.v, strict=True)):
            out[f"opt_m{i}"], out[f"opt_v{i}"] = m, v
        return out

    def load(self, st: dict[str, np.ndarray]) -> None:
        self.t = int(st["opt_t"])
        self.m = [st[f"opt_m{i}"].copy() for i in range(3)]
        self.v = [st[f"opt_v{i}"].copy() for i in range(3)]


class SGD:
    """Plain SGD (ascent) with optional momentum."""

    def __init__(self, params: RBMParams, s: OptimizerSettings) -> None:
        self.s = s
        self.t = 0
        self.m = [np.zeros_like(x) for x in (params.W, params.a, params.b)]

    def step(self, params: RBMParams, grads: Sequence[np.ndarray]) -> None:
        self.t += 1
        lr, mu = np.float32(self.s.lr), np.float32(self.s.momentum)
        for p, g, m in zip((params.W, params.a, params.b), grads, self.m, strict=True):
            m *= mu
            m += g
            p += lr * m

    def state(self) -> dict[str, np.ndarray]:
        out = {"opt_t": np.array(self.t)}
        for i, m in enumerate(self.m):
            out[f"opt_m{i}"] = m
        return out

    def load(self, st: dict[str, np.ndarray]) -> None:
        self.t = int(st["opt_t"])
        self.m = [st[f"opt_m{i}"].copy() for i in range(3)]


def make_optimizer(params: RBMParams, s: OptimizerSettings) -> Adam | SGD:
    return Adam(params, s) if s.name == "adam" else SGD(params, s)
