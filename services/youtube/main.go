// Command youtube runs the YouTube worker alone: live announcements become
// scheduled broadcasts on the council's channel.
// It is live.Spec run by service.Main: the hub runs the same Spec on its embedded bus.
package main

import (
	"github.com/paeria/pregoner/services/youtube/live"
	"github.com/paeria/pregoner/shared/service"
)

func main() { service.Main(live.Spec()) }
