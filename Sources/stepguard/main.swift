// Entry point only: everything lives in StepGuardCLI.
import StepGuardCLI
