// The review page of `adflag scan --format html`. It reads the night's
// flags from the JSON of the #adflag-data element, draws the summary
// charts, and shows the flags sorted by score, a page of cards at a time
// as the reviewer scrolls, so that ten thousand flags stay responsive.
//
// Listing text is only ever set with textContent or as SVG text content:
// nothing from the data is read as markup.
'use strict';

(function () {
  const LEVELS = ['high', 'medium', 'low', 'none'];
  const CARDS_PER_STEP = 40;
  const SEARCH_DELAY_MS = 150;
  const SVG_NS = 'http://www.w3.org/2000/svg';

  const data = JSON.parse(document.getElementById('adflag-data').textContent);
  const flags = data.flags;
  const rulesById = new Map(data.rules.map((rule) => [rule.id, rule]));
  const indexById = new Map();
  flags.forEach((flag, i) => {
    if (!indexById.has(flag.id)) indexById.set(flag.id, i);
  });

  // What the reviewer is looking at: the filtered flags (indexes into
  // `flags`), how many of them have cards, and the current one.
  const view = {shown: [], rendered: 0, current: -1};
  const filters = {levels: new Set(), category: '', rule: '', query: ''};

  // ---- Small DOM helpers -------------------------------------------------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function svgElement(tag, attributes, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes)) {
      node.setAttribute(name, String(value));
    }
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  // A stable hue per category, so a category has one colour everywhere.
  function hueOf(category) {
    let hash = 0;
    for (let i = 0; i < category.length; i++) {
      hash = (hash * 31 + category.charCodeAt(i)) >>> 0;
    }
    return (hash * 137) % 360;
  }

  function categoryOf(ruleId) {
    const rule = rulesById.get(ruleId);
    return rule ? rule.category : 'unknown';
  }

  // ---- What a flag holds -------------------------------------------------

  function firedRules(flag) {
    const counted = flag.rules.map((match) => ({match, shadow: false}));
    const shadow = flag.shadow.map((match) => ({match, shadow: true}));
    return counted.concat(shadow);
  }

  function categoriesOf(flag) {
    return new Set(flag.rules.map((match) => match.category));
  }

  // The lower-case text a search looks in: id, source, field texts and
  // the rules fired. Built on first use.
  const searchTexts = new Array(flags.length);
  function searchTextOf(i) {
    if (searchTexts[i] === undefined) {
      const flag = flags[i];
      const parts = [flag.id, flag.source + ':' + flag.line];
      for (const text of flag.texts || []) parts.push(text.text);
      for (const {match} of firedRules(flag)) parts.push(match.id);
      searchTexts[i] = parts.join('\n').toLowerCase();
    }
    return searchTexts[i];
  }

  // ---- Byte offsets into UTF-8 to string indexes ------------------------

  // Returns a function that maps a byte offset into the UTF-8 form of
  // `text` to the index of the same place in the JavaScript string. An
  // offset inside a character maps to that character's start.
  function byteIndexer(text) {
    const starts = [];   // starts[k]: the byte offset of code unit run k
    const indexes = [];  // indexes[k]: its string index
    let bytes = 0;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      starts.push(bytes);
      indexes.push(i);
      if (unit < 0x80) {
        bytes += 1;
      } else if (unit < 0x800) {
        bytes += 2;
      } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        bytes += 4;  // a surrogate pair: one character of four bytes
        i++;
      } else {
        bytes += 3;
      }
    }
    return function (offset) {
      if (offset >= bytes) return text.length;
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (starts[middle] <= offset) {
          low = middle;
        } else {
          high = middle - 1;
        }
      }
      return indexes[low];
    };
  }

  // ---- Evidence in place -------------------------------------------------

  // The evidence spans of `flag` in the field value `text`, as string
  // indexes.
  function spansIn(flag, text) {
    const spans = [];
    const toIndex = byteIndexer(text.text);
    for (const {match, shadow} of firedRules(flag)) {
      for (const hit of match.hits) {
        if (hit.field !== text.field) continue;
        if ((hit.index === undefined ? -1 : hit.index) !==
            (text.index === undefined ? -1 : text.index)) {
          continue;
        }
        const start = toIndex(hit.start);
        const end = toIndex(hit.end);
        if (end > start) {
          spans.push({start, end, rule: match.id, category: match.category,
                      shadow});
        }
      }
    }
    return spans;
  }

  // Fills `container` with `value`, every span highlighted where it lies
  // and followed by the label of its rule. Overlapping spans split the
  // text into pieces, each marked with every rule that covers it.
  function renderHighlighted(container, value, spans) {
    const cuts = new Set([0, value.length]);
    for (const span of spans) {
      cuts.add(span.start);
      cuts.add(span.end);
    }
    const points = Array.from(cuts).sort((a, b) => a - b);
    for (let p = 0; p + 1 < points.length; p++) {
      const from = points[p];
      const to = points[p + 1];
      const piece = value.slice(from, to);
      const covering = spans.filter((s) => s.start <= from && s.end >= to);
      if (covering.length === 0) {
        container.appendChild(document.createTextNode(piece));
      } else {
        container.appendChild(markPiece(piece, covering));
      }
      const ending = new Set(spans.filter((s) => s.end === to)
                                 .map((s) => s.rule));
      for (const rule of ending) {
        const label = element('span', 'label', rule);
        label.style.setProperty('--hue', hueOf(categoryOf(rule)));
        label.setAttribute('aria-hidden', 'true');
        container.appendChild(label);
      }
    }
  }

  function markPiece(piece, covering) {
    const mark = element('mark', 'hit', piece);
    const rules = Array.from(new Set(covering.map((s) => s.rule)));
    mark.dataset.rules = rules.join(' ');
    mark.title = rules.map((id) => {
      const rule = rulesById.get(id);
      return rule ? id + ': ' + rule.title : id;
    }).join('\n');
    mark.style.setProperty('--hue', hueOf(covering[0].category));
    if (rules.length > 1) mark.classList.add('overlap');
    if (covering.every((s) => s.shadow)) mark.classList.add('shadow');
    return mark;
  }

  // ---- One card ----------------------------------------------------------

  // One chip per fired rule: its id and weight, coloured by category, and
  // its title, category and description as a tooltip. Composites, which
  // have no evidence of their own, get a smaller chip.
  function renderRules(list, flag) {
    for (const {match, shadow} of firedRules(flag)) {
      const rule = rulesById.get(match.id);
      const composite = match.requires !== undefined;
      const item = element('li', 'rule');
      if (shadow) item.classList.add('shadow');
      if (composite) item.classList.add('composite');
      item.dataset.rule = match.id;
      item.style.setProperty('--hue', hueOf(match.category));
      item.appendChild(element('span', 'rule-id', match.id));
      const notes = [(shadow ? 'shadow ' : '') + match.weight];
      for (const hit of match.hits) {
        if (hit.link !== undefined) {
          notes.push(hit.link + ' ' + hit.value + ' \u2265 ' + hit.at_least +
                     ' via ' + hit.entity);
        }
      }
      item.appendChild(element('span', 'rule-notes', notes.join(' · ')));
      const about = [rule ? rule.title : match.id, match.category];
      if (composite) about.push('needs ' + match.requires.join(' + '));
      if (shadow) about.push('experimental: reported, not scored');
      if (rule && rule.description) about.push(rule.description);
      item.title = about.join('\n');
      list.appendChild(item);
    }
  }

  function renderTexts(container, flag) {
    for (const text of flag.texts || []) {
      const field = element('div', 'field');
      const name = text.index === undefined
          ? text.field : text.field + '[' + text.index + ']';
      field.appendChild(element('div', 'field-name', name));
      const value = element('p', 'field-text');
      renderHighlighted(value, text.text, spansIn(flag, text));
      field.appendChild(value);
      container.appendChild(field);
    }
  }

  // A link to another listing of the page, or the plain id when the
  // listing is not on it.
  function listingLink(id) {
    if (!indexById.has(id)) return element('span', 'id-ref', id);
    const link = element('a', 'id-ref', id);
    link.href = '#';
    link.addEventListener('click', (event) => {
      event.preventDefault();
      event.stopPropagation();  // the card's own click would select it
      goToListing(id);
    });
    return link;
  }

  function factLine(label, value, ids) {
    const line = element('div', 'fact');
    line.appendChild(element('span', 'fact-label', label));
    line.appendChild(element('span', 'fact-value', value));
    if (ids && ids.length > 0) {
      const related = element('span', 'related');
      related.appendChild(document.createTextNode('related: '));
      ids.forEach((id, n) => {
        if (n > 0) related.appendChild(document.createTextNode(', '));
        related.appendChild(listingLink(id));
      });
      line.appendChild(related);
    }
    return line;
  }

  function describeEntity(entity) {
    const parts = [entity.value, entity.listings + ' listings'];
    if (entity.cities) parts.push(entity.cities + ' cities');
    if (entity.regions) parts.push(entity.regions + ' regions');
    if (entity.first) parts.push(entity.first + ' to ' + entity.last);
    return parts.join(' · ');
  }

  function renderFacts(container, flag) {
    const entities = flag.entities || {};
    for (const [kind, values] of Object.entries(entities)) {
      if (Array.isArray(values) && values.length > 0 && !flag.links) {
        container.appendChild(factLine(kind, values.join(', ')));
      }
    }
    if (flag.links) {
      for (const kind of ['phones', 'emails', 'handles']) {
        for (const entity of flag.links[kind] || []) {
          const others = entity.ids.filter((id) => id !== flag.id);
          container.appendChild(factLine(kind.slice(0, -1),
                                         describeEntity(entity), others));
        }
      }
      const cluster = flag.links.cluster;
      if (cluster) {
        const others = cluster.ids.filter((id) => id !== flag.id);
        container.appendChild(factLine(
            'template', cluster.size + ' listings share this text, ' +
            cluster.phones + ' phones', others));
      }
    }
    const known = new Set(['id', 'source', 'line', 'score', 'level', 'rules',
                           'shadow', 'entities', 'links', 'texts',
                           'flagged']);
    for (const [name, value] of Object.entries(flag)) {
      if (!known.has(name)) {
        container.appendChild(factLine(name, JSON.stringify(value)));
      }
    }
  }

  function renderFlag(i, rank) {
    const flag = flags[i];
    const template = document.getElementById('flag-template');
    const card = template.content.firstElementChild.cloneNode(true);
    card.dataset.index = i;
    card.dataset.id = flag.id;
    card.dataset.level = flag.level;
    card.tabIndex = -1;
    card.querySelector('.rank').textContent = '#' + rank;
    const level = card.querySelector('.level');
    level.textContent = flag.level;
    level.classList.add('level-' + flag.level);
    card.querySelector('.score').textContent = flag.score.toFixed(4);
    card.querySelector('.flag-id').textContent = flag.id;
    card.querySelector('.where').textContent = flag.source + ':' + flag.line;
    renderRules(card.querySelector('.rules'), flag);
    renderTexts(card.querySelector('.texts'), flag);
    renderFacts(card.querySelector('.facts'), flag);
    card.addEventListener('click', () => select(rank - 1, false));
    return card;
  }

  // ---- The list, a step at a time ----------------------------------------

  const list = document.getElementById('flags');
  const more = document.getElementById('more');

  function renderUpTo(count) {
    const target = Math.min(count, view.shown.length);
    const fragment = document.createDocumentFragment();
    for (; view.rendered < target; view.rendered++) {
      fragment.appendChild(renderFlag(view.shown[view.rendered],
                                      view.rendered + 1));
    }
    list.appendChild(fragment);
    const left = view.shown.length - view.rendered;
    more.textContent = left > 0 ? left + ' more below: keep scrolling' : '';
  }

  function matchesFilters(i) {
    const flag = flags[i];
    if (!filters.levels.has(flag.level)) return false;
    if (filters.category && !categoriesOf(flag).has(filters.category)) {
      return false;
    }
    if (filters.rule &&
        !firedRules(flag).some(({match}) => match.id === filters.rule)) {
      return false;
    }
    return !filters.query || searchTextOf(i).includes(filters.query);
  }

  function applyFilters() {
    view.shown = [];
    for (let i = 0; i < flags.length; i++) {
      if (matchesFilters(i)) view.shown.push(i);
    }
    view.rendered = 0;
    view.current = -1;
    list.replaceChildren();
    renderUpTo(CARDS_PER_STEP);
    const noun = data.run.all ? 'listings' : 'flagged listings';
    document.getElementById('shown-count').textContent =
        'Showing ' + view.shown.length + ' of ' + flags.length + ' ' + noun;
    if (view.shown.length === 0) {
      list.appendChild(element('p', 'empty', 'No listing matches these filters.'));
    }
  }

  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      renderUpTo(view.rendered + CARDS_PER_STEP);
    }
  }, {rootMargin: '600px'}).observe(more);

  // ---- Moving from flag to flag ------------------------------------------

  function select(position, scroll) {
    if (position < 0 || position >= view.shown.length) return;
    renderUpTo(Math.max(view.rendered, position + CARDS_PER_STEP));
    const previous = list.querySelector('.flag.current');
    if (previous) {
      previous.classList.remove('current');
      previous.removeAttribute('aria-current');
    }
    view.current = position;
    const card = list.children[position];
    card.classList.add('current');
    card.setAttribute('aria-current', 'true');
    if (scroll) {
      card.scrollIntoView({block: 'start'});
      card.focus({preventScroll: true});
    }
  }

  function goToListing(id) {
    const i = indexById.get(id);
    let position = view.shown.indexOf(i);
    if (position < 0) {
      resetFilters();
      position = view.shown.indexOf(i);
    }
    select(position, true);
  }

  document.addEventListener('keydown', (event) => {
    const search = document.getElementById('search');
    if (event.target === search) {
      if (event.key === 'Escape' || event.key === 'Enter') {
        event.preventDefault();
        search.blur();
        select(Math.max(view.current, 0), true);
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof HTMLSelectElement) return;
    if (event.key === 'j' || event.key === 'n') {
      select(view.current + 1, true);
    } else if (event.key === 'k' || event.key === 'p') {
      select(Math.max(view.current - 1, 0), true);
    } else if (event.key === '/') {
      event.preventDefault();
      search.focus();
    } else {
      return;
    }
    event.preventDefault();
  });

  // ---- Filters -----------------------------------------------------------

  function levelsPresent() {
    const present = new Set(flags.map((flag) => flag.level));
    return LEVELS.filter((level) => present.has(level) || level !== 'none');
  }

  function countBy(keysOf) {
    const counts = new Map();
    for (const flag of flags) {
      for (const key of keysOf(flag)) counts.set(key, (counts.get(key) || 0) + 1);
    }
    return counts;
  }

  function setUpFilters(categoryCounts) {
    const levelBox = document.getElementById('level-filter');
    for (const level of levelsPresent()) {
      const label = element('label', 'level-choice choice-' + level);
      const box = element('input');
      box.type = 'checkbox';
      box.value = level;
      box.checked = true;
      filters.levels.add(level);
      box.addEventListener('change', () => {
        if (box.checked) {
          filters.levels.add(level);
        } else {
          filters.levels.delete(level);
        }
        applyFilters();
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(' ' + level));
      levelBox.appendChild(label);
    }

    const categorySelect = document.getElementById('category-filter');
    for (const category of Array.from(categoryCounts.keys()).sort()) {
      const option = element('option', '',
                             category + ' (' + categoryCounts.get(category) + ')');
      option.value = category;
      categorySelect.appendChild(option);
    }
    categorySelect.addEventListener('change', () => {
      filters.category = categorySelect.value;
      applyFilters();
    });

    const ruleCounts = countBy((flag) =>
        new Set(firedRules(flag).map(({match}) => match.id)));
    const ruleSelect = document.getElementById('rule-filter');
    for (const rule of data.rules) {
      if (!ruleCounts.has(rule.id)) continue;
      const option = element('option', '',
                             rule.id + ' (' + ruleCounts.get(rule.id) + ')');
      option.value = rule.id;
      ruleSelect.appendChild(option);
    }
    ruleSelect.addEventListener('change', () => {
      filters.rule = ruleSelect.value;
      applyFilters();
    });

    const search = document.getElementById('search');
    let timer = 0;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        filters.query = search.value.trim().toLowerCase();
        applyFilters();
      }, SEARCH_DELAY_MS);
    });
    document.getElementById('filters').addEventListener('submit',
        (event) => event.preventDefault());
    document.getElementById('reset-filters').addEventListener('click',
        () => resetFilters());
  }

  function resetFilters() {
    for (const box of document.querySelectorAll('#level-filter input')) {
      box.checked = true;
      filters.levels.add(box.value);
    }
    document.getElementById('category-filter').value = '';
    document.getElementById('rule-filter').value = '';
    document.getElementById('search').value = '';
    filters.category = '';
    filters.rule = '';
    filters.query = '';
    applyFilters();
  }

  // Shows only one level, or one category, from a click on a chart bar.
  function filterLevel(level) {
    for (const box of document.querySelectorAll('#level-filter input')) {
      box.checked = box.value === level;
    }
    filters.levels = new Set([level]);
    applyFilters();
  }

  function filterCategory(category) {
    const select = document.getElementById('category-filter');
    select.value = category;
    filters.category = category;
    applyFilters();
  }

  // ---- Summary charts ----------------------------------------------------

  // Draws horizontal bars, one per [key, count, className, hue] row, into
  // `chart`, in columns of at most ROWS_PER_COLUMN rows; a click on a bar
  // calls onPick(key).
  const ROWS_PER_COLUMN = 8;
  function drawBars(chart, rows, onPick) {
    const rowHeight = 21;
    const labelWidth = 150;
    const columnWidth = 380;
    const barSpace = columnWidth - labelWidth - 50;
    const columns = Math.max(1, Math.ceil(rows.length / ROWS_PER_COLUMN));
    const shownRows = Math.min(Math.max(rows.length, 1), ROWS_PER_COLUMN);
    const width = columns * columnWidth;
    const height = shownRows * rowHeight + 4;
    chart.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    chart.setAttribute('width', width);
    chart.setAttribute('height', height);
    const top = Math.max(1, ...rows.map((row) => row[1]));
    rows.forEach(([key, count, className, hue], n) => {
      const x = Math.floor(n / ROWS_PER_COLUMN) * columnWidth;
      const y = (n % ROWS_PER_COLUMN) * rowHeight + 2;
      const length = Math.max(2, barSpace * count / top);
      const group = svgElement('g', {class: 'bar ' + className,
                                     'data-key': key, 'data-count': count});
      group.appendChild(svgElement('text', {x: x + labelWidth - 8, y: y + 14,
                                            'text-anchor': 'end',
                                            class: 'bar-label'}, key));
      const bar = svgElement('rect', {x: x + labelWidth, y: y + 3,
                                      width: length, height: rowHeight - 7,
                                      rx: 3});
      if (hue !== undefined) bar.style.setProperty('--hue', hue);
      group.appendChild(bar);
      group.appendChild(svgElement('text', {x: x + labelWidth + length + 6,
                                            y: y + 14, class: 'bar-count'},
                                   count));
      group.appendChild(svgElement('title', {}, key + ': ' + count));
      group.addEventListener('click', () => onPick(key));
      chart.appendChild(group);
    });
  }

  function drawSummary(categoryCounts) {
    const levelCounts = countBy((flag) => [flag.level]);
    drawBars(document.getElementById('chart-levels'),
             levelsPresent().map((level) =>
                 [level, levelCounts.get(level) || 0, 'level-' + level]),
             filterLevel);
    const categories = Array.from(categoryCounts.entries())
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    drawBars(document.getElementById('chart-categories'),
             categories.map(([category, count]) =>
                 [category, count, 'category', hueOf(category)]),
             filterCategory);
  }

  function describeRun() {
    const run = data.run;
    const flagged = flags.filter((flag) => flag.flagged !== false).length;
    const parts = [
      flagged + ' flagged of ' + run.listings + ' listings',
      run.lines + ' lines (' + run.blank + ' blank, ' + run.rejected +
          ' rejected, ' + run.repaired + ' repaired)',
      'pack ' + data.pack.name + (data.pack.version ? ' ' + data.pack.version : ''),
      'from score ' + run.threshold,
      run.linking ? 'linked' : 'not linked',
      run.sources.join(', '),
    ];
    document.getElementById('run-line').textContent = parts.join(' · ');
    document.title = 'adflag review: ' + flagged + ' flagged, ' +
                     run.sources.join(', ');
  }

  const categoryCounts = countBy(categoriesOf);
  describeRun();
  drawSummary(categoryCounts);
  setUpFilters(categoryCounts);
  applyFilters();
  document.documentElement.dataset.ready = 'true';
})();
