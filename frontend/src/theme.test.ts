import { DEFAULT_THEME } from '@mantine/core'
import { describe, expect, it } from 'vitest'
import { contrast, readable, shadeContrast, theme } from './theme'

describe('the theme', () => {
  it('keeps every colour readable on white from shade 6 on (axe: 4.5:1)', () => {
    for (const [name, palette] of Object.entries(theme.colors ?? {})) {
      for (let i = 6; i <= 9; i++) {
        const ratio = contrast(palette![i], '#ffffff')
        expect(ratio, `${name}.${i} ${palette![i]}`).toBeGreaterThanOrEqual(shadeContrast[i - 6])
        // Also on the tinted backgrounds of light badges and alerts (shades 0 and 1).
        expect(contrast(palette![i], palette![0]), `${name}.${i} on ${name}.0`).toBeGreaterThanOrEqual(4.5)
        expect(contrast(palette![i], palette![1]), `${name}.${i} on ${name}.1`).toBeGreaterThanOrEqual(4.5)
      }
    }
  })

  it('leaves the light shades and colours that already read well alone', () => {
    const indigo = readable(DEFAULT_THEME.colors.indigo)
    expect(indigo.slice(0, 6)).toEqual(DEFAULT_THEME.colors.indigo.slice(0, 6))
    expect(readable(DEFAULT_THEME.colors.gray)[9]).toBe(DEFAULT_THEME.colors.gray[9])
    expect(contrast('#868e96', '#ffffff')).toBeCloseTo(3.32, 2) // Mantine's dimmed grey, as axe measured it
  })
})
