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
