package main

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newThemesCmd(e *env, cf *configFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "themes",
		Short: "List the colour themes, built-in and your own",
		Long: `List the colour themes. Add your own as YAML files in the themes directory
printed below; each file is one theme named after the file. Every key is
optional and starts from the base theme:

  name: ocean            # default: the file name
  base: dark             # dark, light, high-contrast or mono
  text: "#d0d0d0"        # colours: "#rrggbb", "#rgb" or 0-255
  muted: "#808080"
  accent: "#5fafff"
  border: "#4e4e4e"
  ok: "#87d75f"
  warn: "#ffaf00"
  crit: "#ff5f5f"
  gauge_empty: "#3a3a3a"
  selected_fg: "#000000"
  selected_bg: "#5fafff"
  series: ["#5fafff", "#87d75f", "#ffaf00"]`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := cf.load(cmd, e.getenv)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			for _, t := range cfg.themes {
				mark := " "
				if t.Name == cfg.Theme {
					mark = "*"
				}
				fmt.Fprintf(tw, "%s %s\t%s\n", mark, t.Name, t.Description)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if cfg.dir != "" {
				fmt.Fprintf(e.stdout, "\nuser themes: %s\n", filepath.Join(cfg.dir, "themes", "*.yaml"))
			}
			return nil
		},
	}
}
