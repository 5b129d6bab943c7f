// Static assets served by src/app.tsx: the progressive-enhancement script (/static/app.js;
// CSP allows scripts from 'self' only, so nothing is inline) and the favicon.
import { LOGO_SVG } from './layout.js';

export const FAVICON_SVG = LOGO_SVG;

/**
 * Everything works without it. It adds: the pending state of a submitted form (its buttons
 * disabled, a spinner on the one pressed), the reader's time zone cookie, Copy buttons (ui.tsx
 * CopyButton), dismissing the flash toast, and the `commandfor`/`command` dialog buttons where
 * the browser lacks them.
 */
export const APP_JS = `'use strict';
(function () {
  // Invoker commands polyfill (Chromium has them natively): show-modal and close only.
  if (!('command' in HTMLButtonElement.prototype)) {
    document.addEventListener('click', function (event) {
      var button = event.target instanceof Element ? event.target.closest('button[commandfor]') : null;
      if (!button) return;
      var dialog = document.getElementById(button.getAttribute('commandfor'));
      if (!(dialog instanceof HTMLDialogElement)) return;
      var command = button.getAttribute('command');
      if (command === 'show-modal' && !dialog.open) dialog.showModal();
      else if (command === 'close' && dialog.open) dialog.close();
    });
  }
  // The reader's time zone, for dates and times written in it (src/web/dates.tsx): a cookie,
  // set once and again only when it changes; without it the server writes UTC and says so.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf('tz=' + encodeURIComponent(zone)) === -1)
      document.cookie = 'tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
  } catch (e) {}
    // Pending state: a form being sent disables its submit buttons and shows a spinner on the
    // one pressed, so a double click sends one request. The pressed button's name and value
    // travel in a hidden copy (a disabled button is left out of the form data). Coming back
    // with the Back button (the page restored from the cache) makes the buttons usable again.
    document.addEventListener('submit', function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement) || (form.method || '').toLowerCase() !== 'post') return;
      if (form.hasAttribute('data-no-pending')) return;
      if (form.getAttribute('aria-busy') === 'true') {
        event.preventDefault();
        return;
      }
      var submitter = event.submitter;
      // Busy at once, so the second click of a double click is cancelled above.
      form.setAttribute('aria-busy', 'true');
      setTimeout(function () {
        if (event.defaultPrevented) {
          form.removeAttribute('aria-busy');
          return;
        }
        if (submitter && submitter.name) {
          var copy = document.createElement('input');
          copy.type = 'hidden';
          copy.name = submitter.name;
          copy.value = submitter.value;
          copy.setAttribute('data-pending-copy', '');
          form.appendChild(copy);
        }
        form.querySelectorAll('button[type=submit], button:not([type]), input[type=submit]').forEach(function (button) {
          button.disabled = true;
          button.setAttribute('data-pending-disabled', '');
        });
        var shown = submitter || form.querySelector('button[type=submit], button:not([type])');
        if (shown) shown.classList.add('is-pending');
      }, 0);
    });
    window.addEventListener('pageshow', function (event) {
      if (!event.persisted) return;
      document.querySelectorAll('form[aria-busy=true]').forEach(function (form) {
        form.removeAttribute('aria-busy');
        form.querySelectorAll('[data-pending-copy]').forEach(function (copy) { copy.remove(); });
        form.querySelectorAll('[data-pending-disabled]').forEach(function (button) {
          button.disabled = false;
          button.removeAttribute('data-pending-disabled');
          button.classList.remove('is-pending');
        });
      });
    });
  function enhance() {
    // Copy: the Clipboard API where the page is a secure context, else the selection.
    function copyText(input) {
      if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(input.value);
      input.focus();
      input.select();
      return document.execCommand('copy') ? Promise.resolve() : Promise.reject(new Error('copy'));
    }
    document.querySelectorAll('button[data-copy]').forEach(function (button) {
      var input = document.getElementById(button.getAttribute('data-copy'));
      if (!input) return;
      button.hidden = false;
      var status = button.parentElement && button.parentElement.querySelector('.copy-status');
      button.addEventListener('click', function () {
        copyText(input).then(function () {
          button.textContent = 'Copied';
          if (status) status.textContent = 'Copied to the clipboard.';
          setTimeout(function () { button.textContent = 'Copy'; if (status) status.textContent = ''; }, 2500);
        }, function () {
          input.focus();
          input.select();
          if (status) status.textContent = 'Press Ctrl+C (or Cmd+C) to copy.';
        });
      });
    });
    document.querySelectorAll('[data-toast] button[data-dismiss]').forEach(function (button) {
      button.hidden = false;
      button.addEventListener('click', function () {
        var toast = button.closest('[data-toast]');
        if (toast && toast.parentElement) toast.parentElement.remove();
        var main = document.getElementById('content');
        if (main) main.focus();
      });
    });
    // Escape closes an open menu (a <details>) and returns focus to its summary.
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape') return;
      var open = document.activeElement && document.activeElement.closest('details.menu[open]');
      if (!open) return;
      open.open = false;
      var summary = open.querySelector('summary');
      if (summary) summary.focus();
    });
    // Opening one menu closes the others; a click outside closes them all.
    document.querySelectorAll('details.menu').forEach(function (menu) {
      menu.addEventListener('toggle', function () {
        if (!menu.open) return;
        document.querySelectorAll('details.menu[open]').forEach(function (other) {
          if (other !== menu) other.open = false;
        });
      });
    });
    document.addEventListener('click', function (event) {
      document.querySelectorAll('details.menu[open]').forEach(function (menu) {
        if (!(event.target instanceof Node) || !menu.contains(event.target)) menu.open = false;
      });
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', enhance);
  else enhance();
})();
`;
