import { useI18n } from '../i18n'
import classes from './SkipLink.module.css'

/** The id of the element the skip link jumps to: the page's main region. */
export const mainContentId = 'inhoud'

/**
 * "Naar de inhoud": the first thing Tab reaches on every page. Hidden until it has focus; Enter
 * moves focus past the header and the menu to the page's main region.
 */
export function SkipLink() {
  const { t } = useI18n()
  return (
    <a
      href={`#${mainContentId}`}
      className={classes.skip}
      onClick={(e) => {
        const main = document.getElementById(mainContentId)
        if (!main) return
        e.preventDefault()
        const heading = main.querySelector<HTMLElement>('h1, h2')
        const target = heading ?? main
        if (!target.hasAttribute('tabindex')) target.tabIndex = -1
        target.focus()
      }}
    >
      {t('a11y.skipToContent')}
    </a>
  )
}
