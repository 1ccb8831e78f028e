import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from rbm_reciprocal.analysis.rotations import (
    apply_left,
    apply_right,
    jensen_shannon,
    plane_rotation_matrix,
    random_givens_sequence,
    rotate_in_plane,
    rotated_weights,
    sequence_matrix,
    weight_js_divergence,
)
from rbm_reciprocal.core.errors import ConfigError


def _plane(n, rng):
    q, _ = np.linalg.qr(rng.standard_normal((n, 2)))
    return q[:, 0], q[:, 1]


def test_plane_rotation_is_a_proper_rotation_fixing_the_complement():
    rng = np.random.default_rng(0)
    p1, p2 = _plane(9, rng)
    r = plane_rotation_matrix(p1, p2, 0.7)
    np.testing.assert_allclose(r @ r.T, np.eye(9), atol=1e-12)
    assert np.linalg.det(r) == pytest.approx(1.0, abs=1e-12)
    # vectors orthogonal to the plane do not move
    x = rng.standard_normal(9)
    x -= (x @ p1) * p1 + (x @ p2) * p2
    np.testing.assert_allclose(r @ x, x, atol=1e-12)
    # in the plane: p1 -> cos p1 + sin p2
    np.testing.assert_allclose(r @ p1, np.cos(0.7) * p1 + np.sin(0.7) * p2, atol=1e-12)
    # rank-2 update equals the dense matrix
    X = rng.standard_normal((9, 4))
    np.testing.assert_allclose(rotate_in_plane(X, p1, p2, 0.7), r @ X, atol=1e-12)


def test_composition_and_inverse():
    rng = np.random.default_rng(1)
    p1, p2 = _plane(6, rng)
    a, b = 0.4, 1.9
    np.testing.assert_allclose(
        plane_rotation_matrix(p1, p2, a) @ plane_rotation_matrix(p1, p2, b),
        plane_rotation_matrix(p1, p2, a + b),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        plane_rotation_matrix(p1, p2, a) @ plane_rotation_matrix(p1, p2, -a), np.eye(6), atol=1e-12
    )


def test_givens_sequences_match_dense_products():
    rng = np.random.default_rng(2)
    n = 7
    seq = random_givens_sequence(n, 5, rng)
    dense = np.eye(n)
    for (i, j), t in zip(*seq, strict=True):
        e = np.eye(n)
        dense = plane_rotation_matrix(e[i], e[j], t) @ dense
    np.testing.assert_allclose(sequence_matrix(n, seq), dense, atol=1e-12)
    x = rng.standard_normal((n, n))
    np.testing.assert_allclose(apply_left(x, seq), dense @ x, atol=1e-12)
    np.testing.assert_allclose(apply_right(x, seq), x @ dense, atol=1e-12)
    np.testing.assert_allclose(apply_right(x, seq, transpose=True), x @ dense.T, atol=1e-12)
    assert np.linalg.det(dense) == pytest.approx(1.0)
    assert len(seq[0]) == 5 and np.all(seq[0][:, 0] != seq[0][:, 1])
    assert np.all((seq[1] >= 0) & (seq[1] < 2 * np.pi))


def test_jensen_shannon_matches_scipy():
    rng = np.random.default_rng(3)
    p, q = rng.random(50), rng.random(50)
    ours = jensen_shannon(p, q, eps=0.0)
    assert ours == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-10)
    assert jensen_shannon(p, p) == pytest.approx(0.0, abs=1e-15)
    disjoint = jensen_shannon(np.array([1.0, 0.0]), np.array([0.0, 1.0]), eps=0.0)
    assert disjoint == pytest.approx(np.log(2))


def test_rotations_preserve_spectrum_and_untrained_distribution():
    rng = np.random.default_rng(4)
    w = rng.normal(0, 0.01, (120, 60))
    for variant in ("authors", "left"):
        w_rot = rotated_weights(w, np.random.default_rng(5), variant=variant)
        np.testing.assert_allclose(
            np.linalg.svd(w_rot, compute_uv=False), np.linalg.svd(w, compute_uv=False), rtol=1e-10
        )
    # an untrained (Gaussian) W: rotated entries look like a fresh draw of the same law
    w_big = rng.normal(0, 0.01, (784, 100))
    js_rot, *_ = weight_js_divergence(w_big, rotated_weights(w_big, rng), bins=100)
    js_noise, *_ = weight_js_divergence(w_big, rng.normal(0, 0.01, (784, 100)), bins=100)
    assert js_rot < 3 * js_noise
    # a structured W (half the pixels with 60x larger weights, like MNIST's centre vs border):
    # rotations mix large and small rows and change the entry distribution well above noise
    scale = np.where(np.arange(784) < 392, 0.05, 3.0)[:, None]
    w_struct = w_big * scale
    js_struct, *_ = weight_js_divergence(w_struct, rotated_weights(w_struct, rng), bins=100)
    js_struct_noise, *_ = weight_js_divergence(
        w_struct, rng.normal(0, 0.01, (784, 100)) * scale, bins=100
    )
    assert js_struct > 10 * js_struct_noise
    with pytest.raises(ConfigError, match="variant"):
        rotated_weights(w, rng, variant="both")


def test_trained_model_breaks_rotational_symmetry_untrained_does_not(tmp_path):
    """Issue 5's check on a real (small) model trained on the committed MNIST sample."""
    import pandas as pd
    from conftest import BACKEND, BINARIZATION, SAMPLE, optimizer, train_settings

    from rbm_reciprocal.core.io import save_npz
    from rbm_reciprocal.data.dataset import prepare_mnist
    from rbm_reciprocal.stages.symmetry import (
        RotationJs,
        UntrainedReference,
        run_rotation_js,
        run_untrained_reference,
    )
    from rbm_reciprocal.training.trainer import Trainer

    ds = prepare_mnist(SAMPLE, n_train=2000, **BINARIZATION)
    s = train_settings(
        method="PCD",
        hidden=64,
        gibbs_steps=5,
        batch_size=100,
        n_chains=100,
        epochs=8,
        checkpoints=(0, 8),
        optimizer=optimizer(lr=0.01),
        backend=BACKEND,
    )
    tr = Trainer(ds.train, s)
    for _ in range(8):
        tr.run_epoch()
    save_npz(tmp_path / "trained.npz", W=tr.params.W, a=tr.params.a, b=tr.params.b)
    test = dict(bins=100, fraction=0.1, variant="authors", seed=1)
    trained_js = RotationJs("trained", 64, "PCD", 0, 8, **test)
    run_rotation_js(
        str(tmp_path / "trained.npz"), trained_js, tmp_path / "t.parquet", tmp_path / "tp.parquet"
    )
    reference = UntrainedReference(visible=784, hidden=64, std=0.01, bins=100, seed=1)
    run_untrained_reference(reference, tmp_path / "u.npz", tmp_path / "noise.parquet")
    untrained_js = RotationJs("untrained", 64, "none", 0, 0, **test)
    run_rotation_js(
        str(tmp_path / "u.npz"), untrained_js, tmp_path / "u.parquet", tmp_path / "up.parquet"
    )
    trained = pd.read_parquet(tmp_path / "t.parquet").iloc[0]
    untrained = pd.read_parquet(tmp_path / "u.parquet").iloc[0]
    # the row starts with the model's labels, then the test's settings
    assert list(trained.index[:6]) == ["kind", "hidden", "method", "replica", "epoch", "js"]
    assert (trained["kind"], trained["method"], trained["epoch"]) == ("trained", "PCD", 8)
    assert (untrained["kind"], untrained["bins"], untrained["fraction"]) == ("untrained", 100, 0.1)
    noise = pd.read_parquet(tmp_path / "noise.parquet").iloc[0]
    assert (noise["n_visible"], noise["n_hidden"], noise["bins"]) == (784, 64, 100)
    assert 0 < noise["js_independent_inits"] < 2.5 * untrained["js_noise"]
    assert untrained["js"] < 2.5 * untrained["js_noise"]
    assert trained["js"] > 3 * trained["js_noise"]
    assert trained["js"] > 3 * untrained["js"]
    # 20 noise pairs; the first is the single js_noise of older tables
    from rbm_reciprocal.claims.symmetry import js_noise_t

    assert untrained["noise_pairs"] == 20 and untrained["js_noise_sd"] > 0
    assert 0.5 < untrained["js_noise"] / untrained["js_noise_mean"] < 2
    t_un, t_tr = (
        js_noise_t(r["js"], r["js_noise_mean"], r["js_noise_sd"], r["noise_pairs"])
        for r in (untrained, trained)
    )
    assert t_un < 3.0 < 10.0 < t_tr


def test_fig6_global_change_exceeds_local(tmp_path):
    """A pi rotation of the top-2 plane changes more pixels than rotations avoiding the top 5."""
    import pandas as pd

    from rbm_reciprocal.analysis.rotations import decode_visible, flip_top_modes
    from rbm_reciprocal.analysis.svd import signed_svd
    from rbm_reciprocal.core.io import load_npz, save_npz
    from rbm_reciprocal.stages.rotated_samples import RotatedSamples, run_rotated_samples

    rng = np.random.default_rng(0)
    # a model with a dominant top-2 subspace, like a trained RBM
    u, _ = np.linalg.qr(rng.standard_normal((784, 40)))
    w = (u * np.r_[8.0, 6.0, np.full(38, 0.5)]) @ np.linalg.qr(rng.standard_normal((40, 40)))[0]
    a = rng.normal(-1, 0.5, 784)
    save_npz(
        tmp_path / "m.npz",
        W=w.astype(np.float32),
        a=a.astype(np.float32),
        b=np.zeros(40, np.float32),
    )
    settings = RotatedSamples(n_chains=50, sweeps=20, local_rotations=10, avoid_top=5, seed=0)
    r = run_rotated_samples(
        str(tmp_path / "m.npz"), settings, tmp_path / "s.npz", tmp_path / "s.parquet"
    )
    # local planes are mostly null-space directions (779 of them, 35 paired beyond the top 5)
    g, loc = r["frac_changed_global"], r["frac_changed_local"]
    assert g > 0.01 and g > 5 * loc
    assert r["mean_abs_dp_global"] > 5 * r["mean_abs_dp_local"]
    out = load_npz(tmp_path / "s.npz")
    assert out["v_global"].shape == (50, 784) and set(np.unique(out["v_local"])) <= {0, 1}
    summary = pd.read_parquet(tmp_path / "s.parquet").iloc[0]
    assert summary["n_chains"] == 50
    # claim 8's sign test: most chains change more pixels under the global rotation
    more, less = summary["chains_global_more"], summary["chains_local_more"]
    assert more >= 40 and less <= 2 and more + less <= 50
    # the local planes are drawn among all N - 5 directions, null space included (the paper)
    assert summary["local_directions"] == 784 - 5
    # decoding with the unrotated U is the model's own p(v|h)
    uu, s, vv = signed_svd(w)
    h = (rng.random((5, 40)) < 0.5).astype(float)
    np.testing.assert_allclose(
        decode_visible(h, uu, s, vv, a), 1 / (1 + np.exp(-(h @ w.T + a))), atol=1e-10
    )
    np.testing.assert_allclose(np.abs(flip_top_modes(uu)), np.abs(uu))


def test_rotation_js_settings_name_each_model_of_fig4():
    """The ``{model}`` wildcard of rotation_js gives the labels of its row: every trained
    model at its last checkpoint, then an untrained reference of each size."""
    from types import SimpleNamespace

    from conftest import SMOKE_CONFIGS

    from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config, load_config
    from rbm_reciprocal.stages import symmetry as ss

    config = load_config(SMOKE_CONFIGS)
    config["model"]["hidden"] = [32, 16]
    config["training"]["methods"] = ["PCD", "CD"]
    config["model"]["replicas"] = 2
    config["symmetry"]["reference"]["hidden"] = 16
    models = ss.rotation_js_models(config)
    assert models == [
        "PCD_M32_replica0", "PCD_M32_replica1", "CD_M32_replica0", "CD_M32_replica1",
        "PCD_M16_replica0", "PCD_M16_replica1", "CD_M16_replica0", "CD_M16_replica1",
        "untrained_M16", "untrained_M32",
    ]  # fmt: skip
    last = checkpoint_epochs_from_config(config)[-1]
    s = ss.rotation_js(config, SimpleNamespace(model="CD_M16_replica1"))
    assert s.labels() == dict(kind="trained", hidden=16, method="CD", replica=1, epoch=last)
    sym = config["symmetry"]
    assert (s.bins, s.fraction, s.variant, s.seed) == (
        sym["js_bins"], sym["rotation_fraction"], sym["rotation_variant"], config["seed"]
    )  # fmt: skip
    u = ss.rotation_js(config, SimpleNamespace(model="untrained_M32"))
    assert u.labels() == dict(kind="untrained", hidden=32, method="none", replica=0, epoch=0)
    ref = ss.untrained_reference(config, SimpleNamespace(hidden="32"))
    assert (ref.visible, ref.hidden, ref.std) == (784, 32, sym["reference"]["std"])
