// Command web runs the council's public COVID-19 page alone: the web channel's
// delivery worker and the page's server.
// It is site.Spec run by service.Main: the hub runs the same Spec on its embedded bus.
package main

import (
	"github.com/paeria/pregoner/services/web/site"
	"github.com/paeria/pregoner/shared/service"
)

func main() { service.Main(site.Spec()) }
