package jobs

// Phase is the step a job is at, as stored on the job row and sent with its progress. The
// commit's own steps (PhasePlanning, PhaseWriting) come from importer.Progress.
type Phase string

// The phases of an import job, in order.
const (
	PhaseUploaded  Phase = "uploaded"  // the file is read, a mapping proposed
	PhaseMapped    Phase = "mapped"    // the admin confirmed the mapping
	PhasePreviewed Phase = "previewed" // a plan is stored
	PhaseQueued    Phase = "queued"    // claimed for a commit, not started yet
	PhasePlanning  Phase = "planning"  // the commit plans again against the live accounts
	PhaseWriting   Phase = "writing"   // the commit writes
	PhaseDone      Phase = "done"      // committed (also an undo job)
	PhaseFailed    Phase = "failed"    // the commit failed or its process died
)
