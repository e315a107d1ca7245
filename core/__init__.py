"""The shared kernel below every app: the state-machine helper, domain errors and the
small helpers every app's views share. It imports no app of this project."""
