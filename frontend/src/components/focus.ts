import { useEffect, useRef, type RefObject } from 'react'

/** How long focusHeading waits for a heading that a lazy page or a loading step renders later. */
const waitMs = 4000

/**
 * Moves keyboard focus to the first heading (h1, else h2) inside root, so a screen reader reads
 * the new page or step and the next Tab starts there instead of at <body>. The heading gets
 * tabIndex -1 (focusable by script, not in the Tab order). When root has no heading yet (a
 * lazily loaded page, a step that is still loading) it waits for one, up to a few seconds.
 * Returns a function that stops waiting.
 */
export function focusHeading(root: HTMLElement | null, selector = 'h1, h2'): () => void {
  if (!root) return () => {}
  const tryFocus = (): boolean => {
    const heading = root.querySelector<HTMLElement>(selector)
    if (!heading) return false
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1
    heading.focus({ preventScroll: false })
    return document.activeElement === heading
  }
  if (tryFocus()) return () => {}
  // Waiting: focus moves only if the person has not put it somewhere themselves meanwhile.
  const before = document.activeElement
  const observer = new MutationObserver(() => {
    const now = document.activeElement
    if (now !== before && now !== document.body && now !== null) return stop()
    if (tryFocus()) stop()
  })
  const timer = window.setTimeout(() => stop(), waitMs)
  function stop() {
    observer.disconnect()
    window.clearTimeout(timer)
  }
  observer.observe(root, { childList: true, subtree: true })
  return stop
}

/**
 * Focuses the first heading inside the returned ref's element whenever key changes (not on the
 * first render, when skipFirst is set: the page's own focus handling covers that).
 */
export function useFocusHeadingOn<T extends HTMLElement>(key: unknown, { skipFirst = false, selector = 'h1, h2' } = {}): RefObject<T | null> {
  const ref = useRef<T>(null)
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      if (skipFirst) return
    }
    return focusHeading(ref.current, selector)
  }, [key, skipFirst, selector])
  return ref
}
