package main

import (
	"fmt"

	"github.com/paeria/pregoner/shared/bus"
)

func main() { fmt.Println(bus.DefaultURL) }
