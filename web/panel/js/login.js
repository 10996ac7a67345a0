// SPDX-License-Identifier: Apache-2.0
// Who this browser is (/api/session), the login form and logging out. The session cookie is
// HttpOnly: scripts never see it.

const $ = (id) => document.getElementById(id);

async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  let answer = {};
  try {
    answer = await response.json();
  } catch (e) {
    answer = {error: response.statusText};
  }
  return {ok: response.ok, status: response.status, answer};
}

export async function whoAmI() {
  const response = await fetch('/api/session', {credentials: 'same-origin'});
  return response.json();
}

// Shows the login form; resolves once a login succeeded.
export function askLogin() {
  $('view-login').hidden = false;
  $('stop').hidden = true;
  $('state').firstElementChild.textContent = 'Not logged in';
  $('login-user').focus();
  return new Promise((resolve) => {
    $('login-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      $('login-error').textContent = '';
      $('login-submit').disabled = true;
      const result = await postJson('/api/login', {user: $('login-user').value,
                                                   password: $('login-password').value});
      $('login-submit').disabled = false;
      $('login-password').value = '';
      if (result.ok) {
        $('view-login').hidden = true;
        $('stop').hidden = false;
        resolve(result.answer);
      } else {
        $('login-error').textContent = result.answer.error || 'Login refused.';
      }
    });
  });
}

export async function logOut() {
  await postJson('/api/logout', {});
  location.reload();
}
