"""Errors the sandbox reports to a person: what is wrong and what to do about it."""


class SandboxError(Exception):
    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}\n  how to fix: {fix}")
        self.problem = problem
        self.fix = fix
