"""Benchmark tasks: the task model and file format, the 22-type registry, the published-row importer.

Per-type generators and reference solvers build on this package (``crmsim.tasks.generators``).
"""

from ._io import iter_tasks, load_tasks, save_tasks, task_line, validate_task
from ._model import NONE_ANSWER, Context, HeldFact, Org, Source, Task
from ._published import PublishedRow, import_published, imported_task_id
from ._types import (
    KEY_PREFIXES,
    TASK_TYPES,
    AnswerKind,
    Metric,
    Skill,
    TaskType,
    TaskTypeInfo,
    task_type_info,
)

__all__ = [
    "KEY_PREFIXES",
    "NONE_ANSWER",
    "TASK_TYPES",
    "AnswerKind",
    "Context",
    "HeldFact",
    "Metric",
    "Org",
    "PublishedRow",
    "Skill",
    "Source",
    "Task",
    "TaskType",
    "TaskTypeInfo",
    "import_published",
    "imported_task_id",
    "iter_tasks",
    "load_tasks",
    "save_tasks",
    "task_line",
    "task_type_info",
    "validate_task",
]
