import { h, t } from '../core.js';

export async function render(main) {
  main.replaceChildren(h('h1', {}, t('page.health')));
}
