// Progressive enhancement only: every form works without this file.
document.addEventListener('click', (e) => {
  const el = e.target.closest('[data-confirm]');
  if (el && !window.confirm(el.getAttribute('data-confirm'))) e.preventDefault();
});

// The broadcaster's page: a new emergency bulletin is announced within seconds (polling), with a tone and a
// vibration where the phone allows, then the page reloads to show it with its "Đã phát" button.
(function emergencyAlerts() {
  const box = document.querySelector('[data-alerts-poll]');
  if (!box) return;
  const known = new Set((box.getAttribute('data-alert-ids') || '').split(',').filter(Boolean));
  const tone = () => {
    try {
      const ac = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ac.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ac.destination);
      osc.start();
      osc.stop(ac.currentTime + 1.2);
    } catch (e) { /* no audio before a tap on some phones */ }
  };
  if (known.size) { tone(); if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]); }
  setInterval(async () => {
    try {
      const res = await fetch(box.getAttribute('data-alerts-poll'), { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (!res.ok) return;
      const { items } = await res.json();
      if (items.some((i) => !known.has(String(i.occurrenceId)))) {
        tone();
        if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
        if (window.Notification && Notification.permission === 'granted') new Notification(items[0].title);
        window.location.reload();
      }
    } catch (e) { /* offline: try again at the next tick */ }
  }, 4000);
})();

// Organisation pickers: a name filter over the checkbox list, accents and case ignored ("cam xuyen" finds
// "Cẩm Xuyên"); checked boxes stay checked while hidden, so filtering never changes what is sent.
(function orgPickers() {
  const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
  document.querySelectorAll('[data-org-picker]').forEach((picker) => {
    const filter = picker.querySelector('[data-org-filter]');
    const none = picker.querySelector('[data-org-none]');
    const items = Array.from(picker.querySelectorAll('.org-picker-list label')).map((label) => ({ label, text: fold(label.textContent) }));
    filter.hidden = false;
    filter.addEventListener('input', () => {
      const words = fold(filter.value).split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const { label, text } of items) {
        const match = words.every((w) => text.includes(w));
        label.hidden = !match;
        if (match) shown += 1;
      }
      none.hidden = shown > 0;
    });
  });
})();
