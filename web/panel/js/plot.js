// SPDX-License-Identifier: Apache-2.0
// Plots with Chart.js (Debian's libjs-chart.js, loaded as /lib/chart.min.js): the live plot of
// setpoint and actual over the last 60 s (phone) or 90 s (tablet) with each phase change marked,
// and a recorded session's plot. The canvas carries data-points (points drawn) for automation.

const SETPOINT_COLOUR = '#c77700';
const ACTUAL_COLOUR = '#1f4e79';
const MARK_COLOUR = '#52606d';

// Draws a dashed vertical line and its label at each marker {x, label} inside the plot.
const phaseMarkers = {
  id: 'phaseMarkers',
  afterDatasetsDraw(chart) {
    const markers = chart.$phaseMarkers || [];
    const {ctx, chartArea, scales} = chart;
    ctx.save();
    ctx.strokeStyle = MARK_COLOUR;
    ctx.fillStyle = MARK_COLOUR;
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1.5;
    ctx.font = '14px "DejaVu Sans", sans-serif';
    ctx.textBaseline = 'bottom';
    // Newest first: when labels would overlap, the most recent ones are the ones shown.
    let nextLabelStart = Infinity;
    for (let i = markers.length - 1; i >= 0; --i) {
      const marker = markers[i];
      const x = scales.x.getPixelForValue(marker.x);
      if (x < chartArea.left || x > chartArea.right) continue;
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      // Labels sit above the plot area, left of the line when there is no room on its right.
      const width = ctx.measureText(marker.label).width;
      const left = x + 4 + width <= chart.width ? x + 4 : x - 4 - width;
      if (left + width + 8 <= nextLabelStart && left >= 0) {
        ctx.fillText(marker.label, left, chartArea.top - 2);
        nextLabelStart = left;
      }
    }
    ctx.restore();
  },
};

function baseOptions(unitText) {
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    events: [],
    layout: {padding: {top: 22}},
    plugins: {
      legend: {position: 'bottom', labels: {font: {size: 15}, boxWidth: 28}},
      tooltip: {enabled: false},
    },
    scales: {
      x: {type: 'linear', ticks: {font: {size: 14}, maxTicksLimit: 7}},
      y: {title: {display: true, text: unitText, font: {size: 15}}, ticks: {font: {size: 14}}},
    },
  };
}

function datasets() {
  return [
    {label: 'setpoint', data: [], borderColor: SETPOINT_COLOUR, borderDash: [8, 5], borderWidth: 3,
     pointRadius: 0},
    {label: 'actual', data: [], borderColor: ACTUAL_COLOUR, borderWidth: 3, pointRadius: 0},
  ];
}

export class LivePlot {
  constructor(canvas, windowSeconds = 90) {
    this.canvas = canvas;
    this.windowSeconds = windowSeconds;
    this.markers = [];
    this.now = 0;
    this.scheduled = false;
    const options = baseOptions('');
    // Ticks every 15 s counted back from now, whatever the page's clock says.
    options.scales.x.afterBuildTicks = (scale) => {
      const ticks = [];
      const step = this.windowSeconds > 60 ? 15 : 10;
      for (let ago = 0; ago <= this.windowSeconds; ago += step) ticks.unshift({value: this.now - ago});
      scale.ticks = ticks;
    };
    options.scales.x.ticks.callback = (value) => {
      const ago = Math.round(value - this.now);
      return ago === 0 ? 'now' : ago + ' s';
    };
    options.scales.y.suggestedMin = 0;
    options.scales.y.suggestedMax = 5;
    this.chart = new Chart(canvas, {type: 'line', data: {datasets: datasets()}, options,
                                    plugins: [phaseMarkers]});
    this.chart.$phaseMarkers = this.markers;
  }

  setUnit(text) {
    if (this.chart.options.scales.y.title.text !== text) {
      this.chart.options.scales.y.title.text = text;
      this.schedule();
    }
  }

  // One sample at t seconds (a steady clock of this page).
  push(t, setpoint, actual) {
    const [set, act] = this.chart.data.datasets;
    set.data.push({x: t, y: setpoint});
    act.data.push({x: t, y: actual});
    const oldest = t - this.windowSeconds - 5;
    while (act.data.length > 0 && act.data[0].x < oldest) {
      act.data.shift();
      set.data.shift();
    }
    while (this.markers.length > 0 && this.markers[0].x < oldest) this.markers.shift();
    this.now = t;
    this.schedule();
  }

  markPhase(t, label) {
    this.markers.push({x: t, label});
    this.schedule();
  }

  // Draws at most once per frame, however fast updates come.
  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      const x = this.chart.options.scales.x;
      x.min = this.now - this.windowSeconds;
      x.max = this.now;
      this.chart.update('none');
      this.canvas.dataset.points = String(this.chart.data.datasets[1].data.length);
    });
  }
}

// A recorded session: samples {columns, rows} of history.get, the phases' labels from its plan.
export function drawSession(canvas, previous, samples, unitText, phaseLabels) {
  if (previous) previous.destroy();
  const col = Object.fromEntries(samples.columns.map((name, i) => [name, i]));
  const sets = datasets();
  const markers = [];
  let phase = null;
  for (const row of samples.rows) {
    const t = row[col.t_s];
    sets[0].data.push({x: t, y: row[col.target]});
    sets[1].data.push({x: t, y: row[col.actual]});
    const p = row[col.phase];
    if (p !== null && p !== phase) {
      markers.push({x: t, label: phaseLabels[p] || 'phase ' + (p + 1)});
    }
    phase = p;
  }
  const options = baseOptions(unitText);
  options.scales.x.ticks.callback = (value) => Math.round(value) + ' s';
  const chart = new Chart(canvas, {type: 'line', data: {datasets: sets}, options,
                                   plugins: [phaseMarkers]});
  chart.$phaseMarkers = markers;
  chart.update('none');
  canvas.dataset.points = String(sets[1].data.length);
  return chart;
}
