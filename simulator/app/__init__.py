"""The workshop app: modeling and delegation side by side in the browser (``orgsim app``).

Two arms run paired (same organisation, same random streams) and are drawn side by side:
the org chart as a hierarchy coloured by stage, the adoption curves of both arms on one chart
and adoption by level. The modules, one concept each:

- :mod:`~simulator.app.paired`: the paired run and its weekly history (no Solara);
- :mod:`~simulator.app.orgview`: the hierarchy layout and the cached org-chart drawing;
- :mod:`~simulator.app.charts`: curves, levels, the PNG slide and the animated GIF;
- :mod:`~simulator.app.table`: the run as one tidy table (the CSV export);
- :mod:`~simulator.app.controls`: controls derived from the parameter definitions;
- :mod:`~simulator.app.presets`: the essays' stories as presets;
- :mod:`~simulator.app.predict`: predict, then run;
- :mod:`~simulator.app.session`: one browser tab's state (no Solara);
- :mod:`~simulator.app.orgfile`: the trainer's own org chart (``--org-csv``);
- :mod:`~simulator.app.panels`, :mod:`~simulator.app.page`: the Solara page;
- :mod:`~simulator.app.server`: serving it offline.
"""
