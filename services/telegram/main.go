// Command telegram runs the Telegram worker alone: bulletins from the bus to the
// channel "La Paeria explica".
// It is poster.Spec run by service.Main: the hub runs the same Spec on its embedded bus.
package main

import (
	"github.com/paeria/pregoner/services/telegram/poster"
	"github.com/paeria/pregoner/shared/service"
)

func main() { service.Main(poster.Spec()) }
