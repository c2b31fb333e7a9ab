"""Answering: the one Guard, the Answerer interface, and the values answerers share.

* :mod:`.guard` — :class:`~.guard.Guard`: the global switch, pauses,
  per-minute caps and the loop stop, with their tables;
* :mod:`.answerer` — the interface the Engine loops over, and the one
  :class:`~.answerer.AnswerReport`;
* :mod:`.jobs` — questions to answer sources as rows (a rule's delegation too);
* :mod:`.alerts`, :mod:`.issues`, :mod:`.sending`, :mod:`.incoming`,
  :mod:`.config`, :mod:`.keyvalue` — the neutral values and helpers of
  every answerer.

The answerers (:mod:`wxpanel.core.rules`, :mod:`wxpanel.core.sources`)
import this package, never each other; this package imports none of them.
Nothing is imported here, so that importing one
module of the package costs only that module.
"""
