import { Box, Static, type DOMElement } from 'ink';
import { useLayoutEffect, useRef, type ComponentProps, type ReactNode } from 'react';

function rootOf(node: DOMElement): DOMElement {
  let root = node;
  while (root.parentNode) root = root.parentNode;
  return root;
}

function isInside(node: DOMElement | undefined, ancestor: DOMElement): boolean {
  for (let at = node; at; at = at.parentNode) if (at === ancestor) return true;
  return false;
}

/**
 * Ink's <Static>, safe to unmount. Ink 6.8 keeps a reference to the last <Static>'s layout node
 * after freeing it, and draws it again on every later frame: once the freed memory is reused,
 * that crashes with "memory access out of bounds" (ink#904) — it did after leaving a game and
 * logging out. On unmount this lets go of that reference, unless a newer <Static> replaced it.
 */
export function SafeStatic<T>(props: ComponentProps<typeof Static<T>>): ReactNode {
  const box = useRef<DOMElement>(null);
  useLayoutEffect(() => {
    const own = box.current;
    return () => {
      if (!own) return;
      const root = rootOf(own);
      if (isInside(root.staticNode, own)) root.staticNode = undefined;
    };
  }, []);
  return (
    <Box ref={box} flexDirection="column">
      <Static {...props} />
    </Box>
  );
}
