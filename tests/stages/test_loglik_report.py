"""The log-likelihood page of the report (step loglik_report): each row by its own estimator,
the flagged rows marked and counted."""

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS
from rbm_reciprocal.stages.loglik_tables import loglik_report_html, loglik_report_table


def _rows() -> pd.DataFrame:
    t = pd.DataFrame(np.nan, index=range(3), columns=list(LOGLIK_COLUMNS))
    t["method"], t["hidden"], t["replica"], t["epoch"] = "PCD", 16, 0, [0, 3, 3]
    t["estimator"] = ["trajectory-pt", "trajectory-pt", "standard"]
    t["test_ll_bar"], t["log_z_bar"], t["log_z_bar_se"] = [-150.0, -120.0, np.nan], 11.0, 0.02
    t["test_ll_ais"], t["log_z_ais"], t["log_z_ais_se"] = [-1.0, -2.0, -121.5], 99.0, 0.3
    t["log_z_lower"], t["reliable"] = 10.0, [True, False, True]
    t["flags"] = ["", "below-bound<", ""]
    return t


def test_each_row_reads_its_own_estimator():
    r = loglik_report_table(_rows())
    assert r["test_ll"].tolist() == [-150.0, -120.0, -121.5]  # BAR, BAR, then forward AIS
    assert r["log_z"].tolist() == [11.0, 11.0, 99.0]
    assert r["log_z_se"].tolist() == [0.02, 0.02, 0.3]


def test_flagged_rows_are_counted_marked_and_escaped():
    page = loglik_report_html(_rows())
    assert "3 rows, 1 flagged by a diagnostic" in page
    rows = page.split("<tbody>")[1].split("</tr>")[:3]
    assert ["flagged" in r for r in rows] == [False, True, False]
    assert "<td>-120.0000</td>" in rows[1] and "below-bound&lt;" in rows[1]
    assert "below-bound<" not in page
