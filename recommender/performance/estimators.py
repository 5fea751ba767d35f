"""The performance model's scikit-learn estimators.

The model's code lives in sklearn-free core classes (:mod:`recommender.performance.core`,
:mod:`recommender.performance.calibration`) so that loading the cached, fitted model — what every
``recommender`` process and the TUI do at start-up — never pays for importing scikit-learn (~0.8 s). Fitting
uses these estimators, which add scikit-learn's ``BaseEstimator`` (``get_params``/``set_params``/``clone``)
and ``RegressorMixin``.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, RegressorMixin

from recommender.performance.calibration import CalibratedPerformanceModelCore
from recommender.performance.core import PerformanceModelCore


class PerformanceModel(PerformanceModelCore, RegressorMixin, BaseEstimator):
    __doc__ = PerformanceModelCore.__doc__


class CalibratedPerformanceModel(CalibratedPerformanceModelCore, RegressorMixin, BaseEstimator):
    __doc__ = CalibratedPerformanceModelCore.__doc__
    base_class = PerformanceModel
