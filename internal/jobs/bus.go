package jobs

import "github.com/numo/accounts/internal/pubsub"

// Bus is the process's event bus the service publishes progress on; the roster change log's
// subscriptions (package feed) listen on it too.
func (s *Service) Bus() pubsub.Bus { return s.bus }
