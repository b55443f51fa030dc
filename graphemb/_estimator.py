"""One estimator base for :class:`~graphemb.SGNS`, :class:`~graphemb.Node2Vec` and :class:`~graphemb.DeepWalk`.

A subclass names its parameters once, as a tuple of names declared in
:data:`graphemb._params.PARAMETERS`::

    class SGNS(Estimator):
        _parameters = ("dimensions", "window", ...)

and gets, derived from those declarations:

* ``__init__`` with that signature (keyword or positional, declared defaults) that only
  stores the values (scikit-learn's contract: no validation in ``__init__``);
* ``get_params`` / ``set_params`` / ``repr`` (changed parameters only, as scikit-learn
  prints them), so ``sklearn.base.clone`` works;
* ``validate()``: every parameter checked by its declaration, named in the error,
  then the subclass's :meth:`Estimator._check_together` for checks that involve several;
* the numpydoc ``Parameters`` section (a ``{parameters}`` line in the class docstring).

scikit-learn itself is not imported (``import graphemb`` and the command line stay quick
to start); ``tests/test_params.py`` runs scikit-learn's estimator checks that apply.
Fitted attributes end with ``_``.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from ._params import PARAMETERS, fill_parameter_docs

__all__ = ["Estimator"]


class Estimator:
    """Base class: parameters from :data:`~graphemb._params.PARAMETERS`, scikit-learn's estimator protocol."""

    _parameters: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_parameters" not in cls.__dict__:
            return
        unknown = [name for name in cls._parameters if name not in PARAMETERS]
        if unknown:
            raise TypeError(f"{cls.__name__}: parameters {unknown} are not declared in graphemb._params.PARAMETERS")
        cls.__init__ = _make_init(cls)  # type: ignore[method-assign]
        cls.__doc__ = fill_parameter_docs(cls.__doc__, cls._parameters)

    # ------------------------------------------------------ estimator protocol
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Get the parameters of this estimator.

        Parameters
        ----------
        deep : bool, default True
            Unused (no nested estimators); kept for scikit-learn compatibility.

        Returns
        -------
        dict
            Parameter names, in signature order, mapped to their values.
        """
        return {name: getattr(self, name) for name in self._parameters}

    def set_params(self, **params: Any) -> Estimator:
        """Set parameters of this estimator (checked by ``validate`` and at ``fit``).

        Parameters
        ----------
        **params
            Parameter names and new values.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If a name is not a parameter of the estimator.
        """
        for name, value in params.items():
            if name not in self._parameters:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}. "
                    f"Valid parameters are: {', '.join(self._parameters)}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        changed = []
        for name, value in self.get_params().items():
            default = PARAMETERS[name].default
            try:
                same = type(value) is type(default) and bool(value == default)
            except (TypeError, ValueError):  # e.g. an array: always shown
                same = False
            if not same:
                changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    # ------------------------------------------------------------- validation
    def validate(self) -> Estimator:
        """Check every parameter without doing any work.

        ``fit`` runs the same checks first; call it yourself to reject a bad
        configuration before loading a large input (the command line does).

        Returns
        -------
        self
            Unchanged; a ``ValueError`` names the first invalid parameter.
        """
        self._checked_params()
        return self

    def _checked_params(self) -> dict[str, Any]:
        """Every parameter checked by its declaration (normalised values), then :meth:`_check_together`."""
        owner = type(self).__name__
        values = {name: PARAMETERS[name].check(getattr(self, name), owner) for name in self._parameters}
        self._check_together(values)
        return values

    def _check_together(self, values: dict[str, Any]) -> None:
        """Checks that involve several parameters (``values`` already checked one by one); none by default."""


def _make_init(cls: type) -> Any:
    """An ``__init__`` with the declared signature that stores each argument under its name."""
    names = cls._parameters  # type: ignore[attr-defined]
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=PARAMETERS[name].default)
            for name in names
        ]
    )

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError as exc:  # bind's message does not name the class
            raise TypeError(f"{type(self).__name__}() {exc}") from None
        bound.apply_defaults()
        for name in names:
            setattr(self, name, bound.arguments[name])

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{cls.__name__}.__init__"
    __init__.__module__ = cls.__module__
    __init__.__doc__ = f"Store the parameters (see :class:`{cls.__name__}`); nothing is checked until ``fit``."
    return __init__
